package dev.galeraagent.e2e;

import java.util.List;

/** Pods whose only container sleeps: the network, the kubelet and the API stand-in without MariaDB. */
record SleepSteps(boolean needsKubeApi) implements PodSteps {
    @Override
    public String name() {
        return "sleep";
    }

    @Override
    public List<Container> initContainers(Pod pod) {
        return List.of(new Container("init", List.of("true")));
    }

    @Override
    public Container mariadb(Pod pod) {
        return new Container("mariadb", List.of("sleep", "infinity"));
    }
}
