package dev.galeraagent.deploy;

import dev.galeraagent.cli.AgentCommandTree;
import dev.galeraagent.cli.CommonOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * What the `agent` command line accepts, so that tests can hold the manifest and the Dockerfiles to
 * it. Where a subcommand exists in the real picocli tree ({@code AgentCommand}), that tree is the
 * truth. Where it does not exist yet (the parts are built in parallel), the fallback is the option
 * list of docs/architecture.md: tests that use the fallback say so in their names, so that the
 * lead can see which checks are only against the document.
 */
final class AgentCli {
    private static final Pattern ENV_IN_HELP = Pattern.compile("\\(env: ([A-Z][A-Z0-9_]*)\\)");
    private static final Pattern BACKTICKED = Pattern.compile("`([^`]+)`");
    private static final Pattern ENV_NAME = Pattern.compile("[A-Z][A-Z0-9_]+");
    /** Env twins that break the AGENT_ naming rule (docs/architecture.md, "Command line"). */
    private static final Map<String, String> RULE_EXCEPTIONS = Map.of(
            "--pod-name", "POD_NAME", "--pod-namespace", "POD_NAMESPACE", "--pod-ip", "POD_IP", "--pod-uid", "POD_UID", "--kubeconfig", "KUBECONFIG");
    /** The documented options that take no value; every other documented option takes one. */
    private static final Set<String> DOCUMENTED_FLAGS = Set.of("--dry-run", "--no-kube-api", "--available-when-donor", "--verbose");

    private AgentCli() {
    }

    /** Where a command path's contract comes from. */
    enum Source {
        PICOCLI,
        ARCHITECTURE_DOC
    }

    /** One command (like {@code bootstrap} or {@code probe serve}): its options and their env twins. */
    record Contract(List<String> path, Source source, Map<String, String> optionEnv, Set<String> otherEnv, Set<String> flags) {
        Set<String> envTwins() {
            Set<String> all = new TreeSet<>(optionEnv.values());
            all.addAll(otherEnv);
            return all;
        }
    }

    /** The real `agent` command tree; tests of this class pass a small tree of their own. */
    static final Supplier<CommandLine> AGENT = AgentCommandTree::newCommandLine;

    /** The real subcommand for {@code path}, if main's command tree has it. */
    static Optional<CommandLine> implemented(List<String> path) {
        return implemented(AGENT, path);
    }

    static Optional<CommandLine> implemented(Supplier<CommandLine> tree, List<String> path) {
        CommandLine cl = tree.get();
        for (String name : path) {
            cl = cl.getSubcommands().get(name);
            if (cl == null) {
                return Optional.empty();
            }
        }
        return Optional.of(cl);
    }

    static Contract contract(List<String> path) {
        return implemented(path).map(cl -> fromPicocli(path, cl.getCommandSpec())).orElseGet(() -> documented(path));
    }

    /**
     * Checks {@code argv} (without the program) as the CLI would parse it. Returns the source that
     * judged it; throws AssertionError naming the problem.
     */
    static Source check(List<String> argv) {
        return check(AGENT, argv);
    }

    static Source check(Supplier<CommandLine> tree, List<String> argv) {
        List<String> path = commandPath(argv);
        if (implemented(tree, path).isPresent()) {
            try {
                CommandLine.ParseResult parsed = tree.get().parseArgs(argv.toArray(String[]::new));
                List<String> reached = new ArrayList<>();
                for (CommandLine.ParseResult p = parsed.subcommand(); p != null; p = p.subcommand()) {
                    reached.add(p.commandSpec().name());
                }
                if (!reached.equals(path)) {
                    throw new AssertionError("agent " + String.join(" ", argv) + ": reached command " + reached + ", expected " + path);
                }
            } catch (CommandLine.ParameterException e) {
                throw new AssertionError("agent " + String.join(" ", argv) + ": rejected by the real CLI: " + e.getMessage(), e);
            }
            return Source.PICOCLI;
        }
        Contract c = documented(path);
        List<String> rest = argv.subList(path.size(), argv.size());
        for (int i = 0; i < rest.size(); i++) {
            String token = rest.get(i);
            String name = token.contains("=") ? token.substring(0, token.indexOf('=')) : token;
            if (!c.optionEnv().containsKey(name)) {
                throw new AssertionError("agent " + String.join(" ", argv) + ": " + name + " is not a documented option of agent "
                        + String.join(" ", path) + " (docs/architecture.md): " + c.optionEnv().keySet());
            }
            if (!c.flags().contains(name) && !token.contains("=")) {
                if (i + 1 >= rest.size()) {
                    throw new AssertionError("agent " + String.join(" ", argv) + ": " + name + " needs a value");
                }
                i++;
            }
        }
        return Source.ARCHITECTURE_DOC;
    }

    /**
     * With the real CLI only: parses {@code argv} with each environment variable turned into its
     * option ({@code AGENT_STATUS_PORT=9800} becomes {@code --status-port=9800}), so that every
     * value the manifest sets must also convert to its option's type (a port, a duration...).
     */
    static void checkValues(List<String> argv, Map<String, String> env) {
        checkValues(AGENT, argv, env);
    }

    static void checkValues(Supplier<CommandLine> tree, List<String> argv, Map<String, String> env) {
        List<String> path = commandPath(argv);
        CommandLine command = implemented(tree, path).orElseThrow(() -> new AssertionError("agent " + String.join(" ", path) + " is not on main"));
        Contract c = fromPicocli(path, command.getCommandSpec());
        Map<String, String> optionOfEnv = new LinkedHashMap<>();
        c.optionEnv().forEach((option, name) -> {
            if (option.startsWith("--")) {
                optionOfEnv.putIfAbsent(name, option);
            }
        });
        List<String> args = new ArrayList<>(argv);
        env.forEach((name, value) -> {
            String option = optionOfEnv.get(name);
            if (option == null) {
                throw new AssertionError("agent " + String.join(" ", path) + " has no option for " + name);
            }
            if (c.flags().contains(option)) {
                if (Boolean.parseBoolean(value)) {
                    args.add(option);
                }
            } else {
                args.add(option + "=" + value);
            }
        });
        check(tree, args);
    }

    /** The leading words of argv that are not options: the command path, like [probe, serve]. */
    static List<String> commandPath(List<String> argv) {
        List<String> path = new ArrayList<>();
        for (String a : argv) {
            if (a.startsWith("-")) {
                break;
            }
            path.add(a);
        }
        return path;
    }

    private static Contract fromPicocli(List<String> path, CommandSpec spec) {
        Map<String, String> optionEnv = new LinkedHashMap<>();
        Set<String> flags = new LinkedHashSet<>();
        for (OptionSpec o : spec.options()) {
            Matcher m = ENV_IN_HELP.matcher(String.join(" ", o.description()));
            if (m.find()) {
                for (String name : o.names()) {
                    optionEnv.put(name, m.group(1));
                }
            }
            if (o.arity().max() == 0) {
                flags.addAll(List.of(o.names()));
            }
        }
        return new Contract(path, Source.PICOCLI, optionEnv, Set.of(), flags);
    }

    /** The contract of {@code path} as docs/architecture.md writes it (plus the common options from main). */
    static Contract documented(List<String> path) {
        if (path.isEmpty()) {
            throw new AssertionError("no command given");
        }
        String section = section(architectureDoc(), "### `agent " + path.getFirst() + "`");
        if (path.getFirst().equals("probe")) {
            Set<String> modes = probeModes(section);
            if (path.size() != 2 || !modes.contains(path.get(1))) {
                throw new AssertionError("agent " + String.join(" ", path) + " is not documented; documented probe modes: " + modes);
            }
        } else if (path.size() != 1) {
            throw new AssertionError("agent " + String.join(" ", path) + " is not documented");
        }
        Map<String, String> optionEnv = new LinkedHashMap<>();
        Set<String> otherEnv = new TreeSet<>();
        for (String line : section.lines().toList()) {
            if (line.startsWith("|") && !line.startsWith("|---") && !line.startsWith("| option")) {
                String[] cells = line.split("\\|");
                List<String> options = backticked(cells[1]).stream().filter(t -> t.startsWith("--")).map(AgentCli::firstWord).toList();
                List<String> envs = backticked(cells[2]).stream().filter(t -> ENV_NAME.matcher(t).matches()).toList();
                for (int i = 0; i < options.size(); i++) {
                    optionEnv.put(options.get(i), envs.size() == options.size() ? envs.get(i) : ruleEnv(options.get(i)));
                }
            } else {
                for (String token : backticked(line)) {
                    if (token.startsWith("--")) {
                        optionEnv.putIfAbsent(firstWord(token), ruleEnv(firstWord(token)));
                    } else if (ENV_NAME.matcher(token).matches()) {
                        otherEnv.add(token);
                    }
                }
            }
        }
        otherEnv.removeAll(optionEnv.values());
        commonOptions().forEach(optionEnv::putIfAbsent);
        return new Contract(path, Source.ARCHITECTURE_DOC, optionEnv, otherEnv, DOCUMENTED_FLAGS);
    }

    /** The probe's documented port and paths: `--listen` default and the "HTTP paths" line. */
    record ProbeEndpoints(int port, String live, String ready, String startup) {
    }

    static ProbeEndpoints documentedProbeEndpoints() {
        String section = section(architectureDoc(), "### `agent probe`");
        Matcher listen = Pattern.compile("`--listen` / `AGENT_LISTEN`, default `[^`:]*:(\\d+)`").matcher(section);
        Matcher paths = Pattern.compile("HTTP paths: `(/[a-z]+)`, `(/[a-z]+)`, `(/[a-z]+)`").matcher(section);
        if (!listen.find() || !paths.find()) {
            throw new AssertionError("docs/architecture.md no longer states the probe's --listen default and HTTP paths as expected");
        }
        Map<String, String> byName = new LinkedHashMap<>();
        for (int i = 1; i <= 3; i++) {
            byName.put(paths.group(i).substring(1), paths.group(i));
        }
        return new ProbeEndpoints(Integer.parseInt(listen.group(1)), byName.get("live"), byName.get("ready"), byName.get("startup"));
    }

    private static Map<String, String> commonOptions() {
        Map<String, String> common = new LinkedHashMap<>();
        for (OptionSpec o : CommandSpec.forAnnotatedObject(new CommonOptions()).options()) {
            Matcher m = ENV_IN_HELP.matcher(String.join(" ", o.description()));
            if (m.find()) {
                common.put(o.longestName(), m.group(1));
            }
        }
        return common;
    }

    private static Set<String> probeModes(String section) {
        Set<String> modes = new TreeSet<>();
        Matcher m = Pattern.compile("`agent probe ([a-z|]+)`").matcher(section);
        while (m.find()) {
            modes.addAll(List.of(m.group(1).split("\\|")));
        }
        return modes;
    }

    static String ruleEnv(String option) {
        String exception = RULE_EXCEPTIONS.get(option);
        return exception != null ? exception : "AGENT_" + option.substring(2).toUpperCase(Locale.ROOT).replace('-', '_');
    }

    private static String firstWord(String token) {
        int space = token.indexOf(' ');
        return space < 0 ? token : token.substring(0, space);
    }

    private static List<String> backticked(String text) {
        List<String> tokens = new ArrayList<>();
        Matcher m = BACKTICKED.matcher(text);
        while (m.find()) {
            tokens.add(m.group(1));
        }
        return tokens;
    }

    static String architectureDoc() {
        Path doc = Manifest.projectRoot().resolve("docs/architecture.md");
        try {
            return Files.readString(doc, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String section(String doc, String heading) {
        int start = doc.indexOf(heading);
        if (start < 0) {
            throw new AssertionError("docs/architecture.md has no section " + heading);
        }
        int end = doc.length();
        for (String next : List.of("\n### ", "\n## ")) {
            int i = doc.indexOf(next, start + heading.length());
            if (i >= 0 && i < end) {
                end = i;
            }
        }
        return doc.substring(start, end);
    }
}
