// Loop.java - a CPU-bound Java loop that measures its own wall time (JVM
// start-up excluded), for `make bench`'s profile rows: args[0] rounds of
// ten million iterations of one method, the seconds printed.
public class Loop {
    static long work(int n, long s) {
        for (int i = 0; i < n; i++)
            s += (long) i * 3 ^ (s >>> 5);
        return s;
    }

    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 100;
        long t = System.nanoTime(), s = 0;
        for (int r = 0; r < rounds; r++)
            s = work(10_000_000, s);
        System.out.println((System.nanoTime() - t) / 1e9);
        if (s == 42)
            System.out.println(s);
    }
}
