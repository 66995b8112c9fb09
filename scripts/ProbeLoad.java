// A fixed-rate HTTP load client for scripts/bench-probe.sh (run with `java ProbeLoad.java`).
// wrk only runs flat out; a probe's latency matters at a given request rate, so this sends requests on
// a schedule over keep-alive connections and measures each from its scheduled time (so a stall counts
// against every request it delays: no coordinated omission).
// The first two seconds warm both JVMs up and are not counted.
// Usage: java ProbeLoad.java HOST PORT PATH RATE SECONDS [CONNECTIONS]
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.locks.LockSupport;

public class ProbeLoad {
    static final long WARMUP_NANOS = 2_000_000_000L;

    public static void main(String[] args) throws Exception {
        String host = args[0];
        int port = Integer.parseInt(args[1]);
        String path = args[2];
        int rate = Integer.parseInt(args[3]);
        int seconds = Integer.parseInt(args[4]);
        int connections = args.length > 5 ? Integer.parseInt(args[5]) : 4;
        long perConnInterval = 1_000_000_000L * connections / rate;
        int perConn = rate * seconds / connections;
        long[][] latencies = new long[connections][perConn];
        int[] errors = new int[connections];
        int[] non200 = new int[connections];
        long start = System.nanoTime() + 200_000_000L;
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < connections; c++) {
            final int id = c;
            Thread t = new Thread(() -> run(host, port, path, start + id * (perConnInterval / connections), perConnInterval, latencies[id], errors, non200, id));
            threads.add(t);
            t.start();
        }
        for (Thread t : threads) {
            t.join();
        }
        long end = System.nanoTime();
        long[] all = Arrays.stream(latencies).flatMapToLong(Arrays::stream).filter(v -> v > 0).sorted().toArray();
        int errs = Arrays.stream(errors).sum();
        int bad = Arrays.stream(non200).sum();
        double elapsed = (end - start - WARMUP_NANOS) / 1e9;
        System.out.printf(Locale.ROOT, "rate=%d/s requests=%d (after 2 s warm-up) errors=%d non200=%d throughput=%.0f/s p50=%.2fms p90=%.2fms p99=%.2fms max=%.2fms%n",
                rate, all.length, errs, bad, all.length / elapsed, pct(all, 50), pct(all, 90), pct(all, 99), all.length == 0 ? 0 : all[all.length - 1] / 1e6);
    }

    static double pct(long[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))] / 1e6;
    }

    static void run(String host, int port, String path, long first, long interval, long[] out, int[] errors, int[] non200, int id) {
        byte[] request = ("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nUser-Agent: probe-load\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        Socket s = null;
        InputStream in = null;
        OutputStream o = null;
        for (int i = 0; i < out.length; i++) {
            long scheduled = first + i * interval;
            long wait = scheduled - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            try {
                if (s == null) {
                    s = new Socket(host, port);
                    s.setTcpNoDelay(true);
                    s.setSoTimeout(5000);
                    in = new BufferedInputStream(s.getInputStream());
                    o = s.getOutputStream();
                }
                o.write(request);
                o.flush();
                int status = readResponse(in);
                if (scheduled - first >= WARMUP_NANOS) {
                    out[i] = Math.max(1, System.nanoTime() - scheduled);
                }
                if (status != 200) {
                    non200[id]++;
                }
            } catch (IOException e) {
                errors[id]++;
                try {
                    if (s != null) {
                        s.close();
                    }
                } catch (IOException ignored) {
                    // reconnect on the next request
                }
                s = null;
            }
        }
        try {
            if (s != null) {
                s.close();
            }
        } catch (IOException ignored) {
            // done
        }
    }

    static int readResponse(InputStream in) throws IOException {
        String status = line(in);
        int code = Integer.parseInt(status.split(" ")[1]);
        int length = 0;
        for (String h = line(in); !h.isEmpty(); h = line(in)) {
            if (h.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                length = Integer.parseInt(h.substring(15).strip());
            }
        }
        in.readNBytes(length);
        return code;
    }

    static String line(InputStream in) throws IOException {
        StringBuilder b = new StringBuilder();
        for (int c = in.read(); c != '\n'; c = in.read()) {
            if (c < 0) {
                throw new IOException("connection closed");
            }
            if (c != '\r') {
                b.append((char) c);
            }
        }
        return b.toString();
    }
}
