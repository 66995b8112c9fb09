package dev.galeraagent.probe;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code agent probe serve} as its own process, as the sidecar container runs it. */
class ProbeProcessIT {
    @TempDir
    Path tmp;

    static int freePort(String address) throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(address))) {
            return s.getLocalPort();
        }
    }

    static List<String> agentCommand(String... args) {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> cmd = new java.util.ArrayList<>(List.of(java.toString(), "-XX:+UseSerialGC", "-Xmx32m",
                "-cp", "target/classes:target/lib/*", "dev.galeraagent.cli.AgentCommand"));
        cmd.addAll(List.of(args));
        return cmd;
    }

    @Test
    void serveStopsCleanlyOnSigterm() throws Exception {
        int port = freePort("127.0.30.21");
        Path log = tmp.resolve("serve.log");
        Process p = new ProcessBuilder(agentCommand("probe", "serve", "--listen", "127.0.30.21:" + port,
                "--host", "127.0.30.22", "--datadir", tmp.toString(), "--config-dir", tmp.toString()))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            int code = -1;
            for (int i = 0; i < 100 && code < 0; i++) {
                code = statusOf("http://127.0.30.21:" + port + "/live");
                if (code < 0) {
                    Thread.sleep(100);
                }
            }
            assertThat(code).as("the sidecar answers /live").isEqualTo(200);

            p.destroy(); // SIGTERM, as the kubelet sends it
            assertThat(p.waitFor(5, TimeUnit.SECONDS)).as("stopped within 5 s").isTrue();
            assertThat(p.exitValue()).as("the JVM's exit code after SIGTERM").isEqualTo(143);
            String output = Files.readString(log, StandardCharsets.UTF_8);
            assertThat(output).contains("probe serve listening on").contains("probe serve stopped").doesNotContain("Exception");
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.30.21", port), 500);
                throw new AssertionError("port " + port + " still accepts connections after SIGTERM");
            } catch (IOException expected) {
                // the port is closed
            }
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void serveRefusesABusyPortWithOneLineAndExitCode5() throws Exception {
        try (ServerSocket busy = new ServerSocket(0, 1, InetAddress.getByName("127.0.30.21"))) {
            Process p = new ProcessBuilder(agentCommand("probe", "serve", "--listen", "127.0.30.21:" + busy.getLocalPort(),
                    "--host", "127.0.30.22")).redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).as(output).isEqualTo(5);
            assertThat(output.strip()).startsWith("agent: cannot listen on 127.0.30.21:" + busy.getLocalPort()).doesNotContain("\tat ");
        }
    }

    private static int statusOf(String url) {
        try {
            HttpURLConnection c = (HttpURLConnection) URI.create(url).toURL().openConnection();
            c.setConnectTimeout(300);
            c.setReadTimeout(3000);
            return c.getResponseCode();
        } catch (IOException e) {
            return -1;
        }
    }
}
