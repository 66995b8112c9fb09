// The hostile-client load of scripts/bench-hostile.sh (run with `java HostileLoad.java`): at once
//  - SLOW connections that send a request one byte per second and never finish it (slowloris); each one
//    the server cuts off is opened again, so SLOW stay open all the time;
//  - RATE req/s of GET /status over 4 keep-alive connections, on a fixed schedule;
//  - the kubelet: GET /live and GET /ready, 20 req/s each, every request on a new connection.
// Latency is measured from each request's scheduled time (no coordinated omission); the first two
// seconds are warm-up and not counted.
// Usage: java HostileLoad.java HOST PORT SLOW RATE SECONDS
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

public class HostileLoad {
    static final long WARMUP = 2_000_000_000L;
    static String host;
    static int port;

    public static void main(String[] args) throws Exception {
        host = args[0];
        port = Integer.parseInt(args[1]);
        int slow = Integer.parseInt(args[2]);
        int rate = Integer.parseInt(args[3]);
        int seconds = Integer.parseInt(args[4]);
        long start = System.nanoTime() + 500_000_000L;
        long end = start + seconds * 1_000_000_000L;

        List<Socket> sockets = new ArrayList<>();
        for (int i = 0; i < slow; i++) {
            sockets.add(slowOpen());
        }
        AtomicInteger cutOff = new AtomicInteger();
        Thread drip = Thread.ofPlatform().daemon().start(() -> {
            while (System.nanoTime() < end) {
                for (int i = 0; i < sockets.size(); i++) {
                    try {
                        sockets.get(i).getOutputStream().write('a');
                    } catch (IOException e) {
                        cutOff.incrementAndGet();
                        try {
                            sockets.get(i).close();
                            sockets.set(i, slowOpen());
                        } catch (IOException again) {
                            // refused: next round
                        }
                    }
                }
                LockSupport.parkNanos(1_000_000_000L);
            }
        });

        int conns = 4;
        long statusInterval = 1_000_000_000L * conns / rate;
        List<long[]> status = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        int[] errors = new int[3];
        int[] non200 = new int[3];
        for (int c = 0; c < conns; c++) {
            long[] out = new long[(int) (seconds * 1_000_000_000L / statusInterval)];
            status.add(out);
            long first = start + c * (statusInterval / conns);
            threads.add(Thread.ofPlatform().start(() -> keepAlive("/status", first, statusInterval, out, errors, non200)));
        }
        long probeInterval = 50_000_000L; // 20 per second per path
        long[] live = new long[seconds * 20];
        long[] ready = new long[seconds * 20];
        threads.add(Thread.ofPlatform().start(() -> fresh("/live", start, probeInterval, live, errors, non200, 1)));
        threads.add(Thread.ofPlatform().start(() -> fresh("/ready", start + probeInterval / 2, probeInterval, ready, errors, non200, 2)));
        for (Thread t : threads) {
            t.join();
        }
        drip.join();
        long[] st = status.stream().flatMapToLong(Arrays::stream).filter(v -> v > 0).sorted().toArray();
        System.out.printf(Locale.ROOT, "slow=%d cut_off_and_reopened=%d%n", slow, cutOff.get());
        report("/status (keep-alive)", st, errors[0], non200[0], seconds);
        report("/live (new connection each)", Arrays.stream(live).filter(v -> v > 0).sorted().toArray(), errors[1], non200[1], seconds);
        report("/ready (new connection each)", Arrays.stream(ready).filter(v -> v > 0).sorted().toArray(), errors[2], non200[2], seconds);
        for (Socket s : sockets) {
            s.close();
        }
    }

    static Socket slowOpen() throws IOException {
        Socket s = new Socket(host, port);
        s.getOutputStream().write(("GET /live HTTP/1.1\r\nHost: " + host + "\r\nX-Slow: ").getBytes(StandardCharsets.US_ASCII));
        return s;
    }

    static void report(String what, long[] sorted, int errors, int non200, int seconds) {
        System.out.printf(Locale.ROOT, "%-30s requests=%d errors=%d non200=%d throughput=%.0f/s p50=%.2fms p99=%.2fms max=%.2fms%n", what, sorted.length,
                errors, non200, sorted.length / (seconds - WARMUP / 1e9), pct(sorted, 50), pct(sorted, 99), sorted.length == 0 ? 0 : sorted[sorted.length - 1] / 1e6);
    }

    static double pct(long[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))] / 1e6;
    }

    static void keepAlive(String path, long first, long interval, long[] out, int[] errors, int[] non200) {
        byte[] request = ("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
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
                int code = readResponse(in);
                if (scheduled - first >= WARMUP) {
                    out[i] = Math.max(1, System.nanoTime() - scheduled);
                }
                if (code != 200) {
                    synchronized (non200) {
                        non200[0]++;
                    }
                }
            } catch (IOException e) {
                synchronized (errors) {
                    errors[0]++;
                }
                try {
                    if (s != null) {
                        s.close();
                    }
                } catch (IOException ignored) {
                    // reconnect next time
                }
                s = null;
            }
        }
    }

    static void fresh(String path, long first, long interval, long[] out, int[] errors, int[] non200, int id) {
        byte[] request = ("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < out.length; i++) {
            long scheduled = first + i * interval;
            long wait = scheduled - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(host, port), 5000);
                s.setTcpNoDelay(true);
                s.setSoTimeout(5000);
                s.getOutputStream().write(request);
                int code = readResponse(new BufferedInputStream(s.getInputStream()));
                if (scheduled - first >= WARMUP) {
                    out[i] = Math.max(1, System.nanoTime() - scheduled);
                }
                if (code != 200) {
                    non200[id]++;
                }
            } catch (IOException e) {
                errors[id]++;
            }
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
