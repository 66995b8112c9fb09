package dev.galeraagent.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.galeraagent.testing.LocalMariaDb;
import io.fabric8.kubernetes.api.model.ConfigMap;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the manifest's galera-initdb script the way the official image's entrypoint does (sourced by
 * bash with {@code set -eo pipefail}, its helper functions defined) against a real MariaDB, and
 * checks that the users it creates can log in with the Secret's passwords and hold the grants the
 * probe and the mariabackup SST need. The server has networking off: it uses no address at all.
 */
class InitdbScriptIT {
    /** A password with every character that SQL or the shell could misread. */
    static final String PROBE_PASSWORD = "pr'o\"be\\ $x `y` #z;";
    /** The SST password goes through mariadbd's option-file parser too, which allows fewer characters. */
    static final String SST_PASSWORD = "Sst-pw.with:colon@%+=/$HOME;";

    /**
     * Stand-ins for the official entrypoint's helpers, written from its documented behaviour:
     * docker_process_sql runs the client as root with extra client arguments and SQL on stdin.
     */
    static final String ENTRYPOINT_HELPERS = """
            set -eo pipefail
            shopt -s nullglob
            mysql_note() { printf 'Note: %s\\n' "$*"; }
            mysql_error() { printf 'ERROR: %s\\n' "$*" >&2; exit 1; }
            docker_sql_escape_string_literal() {
              local s="${1//\\\\/\\\\\\\\}"
              s="${s//$'\\n'/\\\\n}"
              printf '%s\\n' "${s//\\'/\\\\\\'}"
            }
            docker_process_sql() { mariadb --no-defaults -S "$SOCKET" -uroot "$@"; }
            """;

    static LocalMariaDb db;
    static Path dir;

    @BeforeAll
    static void startServer(@TempDir Path tmp) throws Exception {
        assumeTrue(LocalMariaDb.installed(), "Debian's mariadb-server is not installed");
        dir = tmp;
        db = LocalMariaDb.create(tmp.resolve("db"), "127.0.0.1", 3306, false, "skip-networking");
        db.start();
    }

    @AfterAll
    static void stopServer() throws Exception {
        if (db != null) {
            db.close();
        }
    }

    record Run(int exit, String output) {
    }

    static Run runScript(Path secrets) throws Exception {
        Manifest manifest = Manifest.load(ManifestTest.MANIFEST);
        String script = manifest.one(ConfigMap.class, "galera-initdb").getData().get("10-galera-agent-users.sh");
        // the one change: the Secret's mount point in the pod is a temp dir here
        String local = script.replaceFirst("(?m)^galera_agent_secrets=.*$", "galera_agent_secrets='" + secrets + "'");
        assertThat(local).isNotEqualTo(script);
        Path scriptFile = dir.resolve("10-galera-agent-users.sh");
        Files.writeString(scriptFile, local);
        Path harness = dir.resolve("entrypoint.sh");
        Files.writeString(harness, ENTRYPOINT_HELPERS + "SOCKET='" + db.socket() + "'\n. '" + scriptFile + "'\necho SOURCED-OK\n");
        Process p = new ProcessBuilder("bash", harness.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Run(p.exitValue(), out);
    }

    static Path secrets(String name, String probePassword, String sstCnf) throws IOException {
        Path s = Files.createDirectories(dir.resolve(name));
        Files.writeString(s.resolve("probe-password"), probePassword);
        Files.writeString(s.resolve("sst.cnf"), sstCnf);
        return s;
    }

    static int login(String user, String password) throws Exception {
        Process p = new ProcessBuilder("mariadb", "--no-defaults", "-S", db.socket().toString(), "-u" + user, "--password=" + password,
                "-N", "-B", "-e", "SELECT CURRENT_USER()").redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return p.exitValue();
    }

    @Test
    void createsTheProbeAndSstUsersWithTheSecretsPasswordsAndTheGrantsTheyNeed() throws Exception {
        Path s = secrets("good", PROBE_PASSWORD, "# comment\n[mariadb]\nwsrep_sst_auth = \"sst:" + SST_PASSWORD + "\"\n");
        Run run = runScript(s);
        assertThat(run.exit()).as(run.output()).isZero();
        assertThat(run.output()).contains("SOURCED-OK").doesNotContain(PROBE_PASSWORD).doesNotContain(SST_PASSWORD);

        assertThat(login("probe", PROBE_PASSWORD)).as("probe logs in with probe-password").isZero();
        assertThat(login("probe", "wrong")).isNotZero();
        assertThat(login("sst", SST_PASSWORD)).as("sst logs in with the password from wsrep_sst_auth").isZero();
        for (String host : List.of("127.0.0.1", "::1", "localhost")) {
            // USAGE is no privilege at all: the probe's SHOW GLOBAL STATUS / VARIABLES need none (ProbeMariaDbIT)
            assertThat(db.sql("SHOW GRANTS FOR 'probe'@'" + host + "'").lines()).singleElement().asString()
                    .startsWith("GRANT USAGE ON *.* TO `probe`@`" + host + "`");
        }
        assertThat(db.sql("SHOW GRANTS FOR 'sst'@'localhost'"))
                .contains("RELOAD").contains("PROCESS").contains("LOCK TABLES").contains("BINLOG MONITOR").contains("SLAVE MONITOR");
    }

    @Test
    void stopsTheEntrypointWithOneLineWhenTheSstCnfHasNoUserAndPassword() throws Exception {
        Path s = secrets("bad", "pw", "[mariadb]\nwsrep_sst_method = mariabackup\n");
        Run run = runScript(s);
        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.output()).contains("has no wsrep_sst_auth = user:password line").doesNotContain("SOURCED-OK");
    }

    @Test
    void refusesAnSstUserNameThatCouldInjectSql() throws Exception {
        Path s = secrets("inject", "pw", "[mariadb]\nwsrep_sst_auth = x'@'%' IDENTIFIED BY 'y';--:pw\n");
        Run run = runScript(s);
        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.output()).contains("may only have letters, digits and _");
        assertThat(db.sql("SELECT COUNT(*) FROM mysql.user WHERE user LIKE 'x%'")).isEqualTo("0");
    }

    @Test
    void refusesAnSstPasswordThatMariadbWouldReadDifferently() throws Exception {
        for (String password : List.of("a\\tb", "a#b", "a b", "a'b", "a\"b")) {
            Path s = secrets("unsafe" + password.hashCode(), "pw", "[mariadb]\nwsrep_sst_auth = sst3:" + password + "\n");
            Run run = runScript(s);
            assertThat(run.exit()).as(password).isEqualTo(1);
            assertThat(run.output()).as(password).contains("must not contain a backslash, quote, # or blank");
        }
    }

    @Test
    void stopsWhenTheProbePasswordIsEmpty() throws Exception {
        Path s = secrets("empty", "", "[mariadb]\nwsrep_sst_auth = sst2:pw\n");
        Run run = runScript(s);
        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.output()).contains("probe-password is empty or missing");
    }
}
