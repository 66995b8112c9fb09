package dev.galeraagent.deploy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/** A Dockerfile read into its instructions (continuation lines joined, comments dropped), for tests. */
record Dockerfile(Path file, List<Instruction> instructions) {
    private static final Pattern FULL_VERSION = Pattern.compile("\\d+\\.\\d+\\.\\d+");
    /** Images whose releases are numbered major.point (Debian 12.12), so two numbers pin them. */
    private static final Pattern DEBIAN_POINT_RELEASE = Pattern.compile("\\d+\\.\\d+(-slim)?");

    /** One instruction: keyword upper-cased, and the rest of its (joined) line. */
    record Instruction(String keyword, String arguments) {
    }

    /** A FROM line: the image, and the stage name it gives (or null). */
    record Stage(String image, String name, int index) {
    }

    static Dockerfile load(String relative) throws IOException {
        Path file = Manifest.projectRoot().resolve(relative);
        List<Instruction> instructions = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            String stripped = line.strip();
            if (current.isEmpty() && (stripped.isEmpty() || stripped.startsWith("#"))) {
                continue;
            }
            if (stripped.startsWith("#")) {
                continue;
            }
            if (stripped.endsWith("\\")) {
                current.append(stripped, 0, stripped.length() - 1).append(' ');
                continue;
            }
            current.append(stripped);
            String text = current.toString().strip();
            current.setLength(0);
            int space = text.indexOf(' ');
            instructions.add(new Instruction(text.substring(0, space).toUpperCase(Locale.ROOT), text.substring(space + 1).strip()));
        }
        return new Dockerfile(file, List.copyOf(instructions));
    }

    List<Instruction> all(String keyword) {
        return instructions.stream().filter(i -> i.keyword().equals(keyword)).toList();
    }

    List<Stage> stages() {
        List<Stage> stages = new ArrayList<>();
        for (Instruction i : all("FROM")) {
            String[] words = i.arguments().split("\\s+");
            List<String> rest = new ArrayList<>(List.of(words));
            rest.removeIf(w -> w.startsWith("--"));
            String name = rest.size() >= 3 && rest.get(1).equalsIgnoreCase("AS") ? rest.get(2) : null;
            stages.add(new Stage(rest.getFirst(), name, stages.size()));
        }
        return stages;
    }

    /** Base images pulled from a registry (FROMs naming an earlier stage are left out). */
    List<String> baseImages() {
        Set<String> stageNames = stages().stream().map(Stage::name).filter(n -> n != null).collect(java.util.stream.Collectors.toSet());
        return stages().stream().map(Stage::image).filter(i -> !stageNames.contains(i)).toList();
    }

    String finalBase() {
        return stages().getLast().image();
    }

    /** Instructions of the last stage only. */
    List<Instruction> finalStage() {
        int lastFrom = instructions.lastIndexOf(all("FROM").getLast());
        return instructions.subList(lastFrom + 1, instructions.size());
    }

    /** The ENTRYPOINT in exec form (a JSON array); fails for the shell form, which would swallow signals. */
    List<String> entrypoint() {
        List<Instruction> entrypoints = all("ENTRYPOINT");
        if (entrypoints.isEmpty()) {
            throw new AssertionError(file + " has no ENTRYPOINT");
        }
        String json = entrypoints.getLast().arguments();
        if (!json.startsWith("[")) {
            throw new AssertionError(file + ": ENTRYPOINT must be in exec form (a JSON array): " + json);
        }
        return JsonMapper.builder().build().readValue(json, new TypeReference<List<String>>() { });
    }

    /** True for an image reference pinned to a full version (or a digest), never `latest` or a bare major. */
    static boolean isPinned(String image) {
        if (image.contains("@sha256:")) {
            return true;
        }
        int slash = image.lastIndexOf('/');
        int colon = image.lastIndexOf(':');
        if (colon <= slash) {
            return false;
        }
        String repo = image.substring(slash + 1, colon);
        String tag = image.substring(colon + 1);
        if (tag.equals("latest")) {
            return false;
        }
        return FULL_VERSION.matcher(tag).find() || (repo.equals("debian") && DEBIAN_POINT_RELEASE.matcher(tag).matches());
    }
}
