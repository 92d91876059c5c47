// Sleeper.java - a JVM blocked in its own method, for `usdtrace dump`:
// main -> waitHere -> Thread.sleep, "ready" on stdout once there.
public class Sleeper {
    static void waitHere() throws InterruptedException {
        System.out.println("ready");
        System.out.flush();
        Thread.sleep(60000);
    }

    public static void main(String[] args) throws InterruptedException {
        waitHere();
    }
}
