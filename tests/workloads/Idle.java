// Idle.java - a JVM that only waits (N seconds, default 60), for attach
// benchmarks against a live libjvm.so.
public class Idle {
    public static void main(String[] args) throws InterruptedException {
        long s = args.length > 0 ? Long.parseLong(args[0]) : 60;
        Thread.sleep(s * 1000);
    }
}
