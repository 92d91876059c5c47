// ProfileApp.java - a CPU-bound Java program for `usdtrace profile` to be
// checked against: ProfileApp.hotA and ProfileApp.hotB share the main
// thread 3:1 and ProfileApp.sorted spends its time in java.util.Arrays.sort;
// each one's thread CPU time is measured here (ThreadMXBean) and written,
// with the process's, as JSON to args[0]. ProfileApp.square is inlined into
// hotC by C2 and calls ProfileApp.leaf, which is not: the frames under
// leaf must name square, compiled into hotC, as a frame of its own.
import java.io.FileWriter;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;

public class ProfileApp {
    static final ThreadMXBean MX = ManagementFactory.getThreadMXBean();
    static long spentA, spentB, spentSort, spentC;
    static int[] data = new int[20000];
    static volatile long sink;

    static long hotA(int n) {
        long s = 0;
        for (int i = 0; i < n; i++)
            s += (long) i * 7 ^ (s >>> 3);
        return s;
    }

    static long hotB(int n) {
        long s = 0;
        for (int i = 0; i < n; i++)
            s += (long) i * 3 ^ (s >>> 5);
        return s;
    }

    static int sorted() {
        int[] copy = Arrays.copyOf(data, data.length);
        Arrays.sort(copy);
        return copy[copy.length / 2];
    }

    static long leaf(long x) {
        long s = x;
        for (int i = 0; i < 40; i++)
            s = s * 31 + (s >>> 11);
        return s;
    }

    static long square(long x) {
        return leaf(x * x) + (x >>> 7);
    }

    static long hotC(int n) {
        long s = 0;
        for (int i = 0; i < n; i++)
            s += square(i ^ s);
        return s;
    }

    public static void main(String[] args) throws IOException {
        double seconds = args.length > 1 ? Double.parseDouble(args[1]) : 3;
        for (int i = 0; i < data.length; i++)
            data[i] = (i * 7919) % 20011;
        long finish = System.nanoTime() + (long) (seconds * 1e9);
        while (System.nanoTime() < finish) {
            long t = MX.getCurrentThreadCpuTime();
            sink += hotA(1500000);
            long u = MX.getCurrentThreadCpuTime();
            sink += hotB(500000);
            long v = MX.getCurrentThreadCpuTime();
            sink += sorted() + sorted();
            long w = MX.getCurrentThreadCpuTime();
            sink += hotC(20000);
            long x = MX.getCurrentThreadCpuTime();
            spentA += u - t;
            spentB += v - u;
            spentSort += w - v;
            spentC += x - w;
        }
        long process = ((com.sun.management.OperatingSystemMXBean)
                        ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
        try (FileWriter f = new FileWriter(args[0])) {
            f.write(String.format("{\"hotA\":%f,\"hotB\":%f,\"sort\":%f,\"hotC\":%f,"
                                  + "\"process\":%f}", spentA / 1e9, spentB / 1e9,
                                  spentSort / 1e9, spentC / 1e9, process / 1e9));
        }
    }
}
