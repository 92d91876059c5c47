// Work.java - a deterministic Java workload for `usdtrace calls/flow/stat`:
// main calls middle 100 times, each middle calls leaf 35 times (3500 leaf
// calls), with the JIT at work, then a forced System.gc(). An argument
// changes the 100; a second one keeps the JVM alive that many ms more.
public class Work {
    static int leaf(int i) {
        return i * 2;
    }

    static int middle(int n) {
        int total = 0;
        for (int i = 0; i < 35; i++)
            total += leaf(i);
        return total + n;
    }

    public static void main(String[] args) throws InterruptedException {
        long total = 0;
        int count = args.length > 0 ? Integer.parseInt(args[0]) : 100;
        for (int n = 0; n < count; n++)
            total += middle(n);
        System.gc();
        System.err.println(total);
        if (args.length > 1)
            Thread.sleep(Long.parseLong(args[1]));
    }
}
