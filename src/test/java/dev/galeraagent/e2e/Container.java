package dev.galeraagent.e2e;

import java.util.List;
import java.util.Map;

/** One container of the pod's spec: a name, the command it runs inside the pod, and extra environment. */
public record Container(String name, List<String> command, Map<String, String> env) {
    public Container {
        command = List.copyOf(command);
        env = Map.copyOf(env);
    }

    public Container(String name, List<String> command) {
        this(name, command, Map.of());
    }
}
