package dev.galeraagent.e2e;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Runs short commands for the harness and ends processes by PID only (the process and its descendants). */
final class Exec {
    record Result(int exit, String output) {
        boolean ok() {
            return exit == 0;
        }
    }

    private Exec() {}

    /** Runs {@code cmd}, stdout and stderr merged; on timeout kills it (by PID) and reports exit -1. */
    static Result run(Duration timeout, List<String> cmd) throws IOException {
        return run(timeout, cmd, null);
    }

    /** As {@link #run(Duration, List)}, with exactly the environment {@code env} when it is not null. */
    static Result run(Duration timeout, List<String> cmd, java.util.Map<String, String> env) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        if (env != null) {
            pb.environment().clear();
            pb.environment().putAll(env);
        }
        Process p = pb.start();
        p.getOutputStream().close();
        CompletableFuture<String> out = drain(p.getInputStream());
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                killTree(p.toHandle());
                return new Result(-1, "timed out after " + timeout + ": " + String.join(" ", cmd));
            }
            return new Result(p.exitValue(), out.get(5, TimeUnit.SECONDS));
        } catch (InterruptedException e) {
            killTree(p.toHandle());
            Thread.currentThread().interrupt();
            throw new IOException("interrupted: " + String.join(" ", cmd), e);
        } catch (ExecutionException | TimeoutException e) {
            return new Result(p.exitValue(), "(output lost: " + e + ")");
        }
    }

    static Result run(String... cmd) throws IOException {
        return run(Duration.ofSeconds(60), List.of(cmd));
    }

    /** Runs {@code cmd} and returns its output, or throws with the output when it fails. */
    static String ok(String... cmd) throws IOException {
        Result r = run(cmd);
        if (!r.ok()) {
            throw new IOException(String.join(" ", cmd) + " exited " + r.exit() + ": " + r.output().strip());
        }
        return r.output();
    }

    static CompletableFuture<String> drain(InputStream in) {
        CompletableFuture<String> f = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try (in) {
                f.complete(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                f.complete("(read failed: " + e.getMessage() + ")");
            }
        });
        return f;
    }

    /** SIGKILL to the descendants first (so none is re-parented and forgotten), then the process; waits. */
    static void killTree(ProcessHandle h) {
        List<ProcessHandle> kids = h.descendants().toList();
        h.destroyForcibly();
        kids.forEach(ProcessHandle::destroyForcibly);
        awaitExit(h, Duration.ofSeconds(30));
        kids.forEach(k -> awaitExit(k, Duration.ofSeconds(10)));
    }

    /** SIGKILL to one PID, when that PID is alive. */
    static void kill9(long pid) {
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        ProcessHandle.of(pid).ifPresent(h -> awaitExit(h, Duration.ofSeconds(10)));
    }

    static boolean awaitExit(ProcessHandle h, Duration timeout) {
        try {
            h.onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return !h.isAlive();
        } catch (ExecutionException | TimeoutException e) {
            return !h.isAlive();
        }
    }
}
