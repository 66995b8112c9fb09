package dev.galeraagent.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.galeraagent.errors.AgentException;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ResolvConfDomainTest {

    private static PodIdentity identity(String resolvConf) {
        return PodIdentity.fromEnv(Map.of("POD_NAME", "galera-0", "POD_NAMESPACE", "prod"), "h", resolvConf, null, null);
    }

    @Test
    void findsTheDomainInKubernetesSearchListWithNdots() {
        PodIdentity id = identity("""
                search prod.svc.k8s.corp.example svc.k8s.corp.example k8s.corp.example
                nameserver 10.96.0.10
                options ndots:5
                """);
        assertThat(id.clusterDomain()).isEqualTo("k8s.corp.example");
        assertThat(id.clusterDomainSource()).isEqualTo(PodIdentity.DomainSource.RESOLV_CONF);
    }

    @Test
    void prefersThisNamespacesEntryOverOtherDomainsInTheList() {
        assertThat(identity("search ec2.internal other.svc.wrong.local prod.svc.right.local svc.right.local right.local\n")
                .clusterDomain()).isEqualTo("right.local");
    }

    @Test
    void fallsBackToTheSvcEntryWhenTheNamespaceDiffers() {
        assertThat(identity("search team.svc.cluster.local svc.cluster.local cluster.local\n").clusterDomain()).isEqualTo("cluster.local");
    }

    @Test
    void usesTheDefaultWhenThereIsNoSearchLine() {
        PodIdentity id = identity("nameserver 10.96.0.10\noptions ndots:5\n");
        assertThat(id.clusterDomain()).isEqualTo("cluster.local");
        assertThat(id.clusterDomainSource()).isEqualTo(PodIdentity.DomainSource.DEFAULT);
    }

    @Test
    void usesTheDefaultWhenTheSearchListHasNoClusterEntry() {
        assertThat(identity("search example.com corp.example\nnameserver 1.1.1.1\n").clusterDomainSource())
                .isEqualTo(PodIdentity.DomainSource.DEFAULT);
    }

    @Test
    void usesTheDefaultWhenResolvConfIsUnreadableOrEmpty() {
        assertThat(identity(null).clusterDomain()).isEqualTo("cluster.local");
        assertThat(identity("").clusterDomain()).isEqualTo("cluster.local");
    }

    @Test
    void ignoresCommentsCrlfTabsTrailingDotsAndCase() {
        PodIdentity id = identity("# generated\r\n; old: search prod.svc.old.local\r\nsearch\tPROD.svc.Cluster.Local.  svc.cluster.local\r\n"
                + "nameserver 10.96.0.10\r\n");
        assertThat(id.clusterDomain()).isEqualTo("cluster.local");
    }

    @Test
    void theLastSearchOrDomainLineWins() {
        assertThat(identity("search prod.svc.first.local\nsearch prod.svc.second.local\n").clusterDomain()).isEqualTo("second.local");
        assertThat(identity("search prod.svc.first.local\ndomain prod.svc.third.local\n").clusterDomain()).isEqualTo("third.local");
    }

    @Test
    void stopsAtAnInlineComment() {
        assertThat(identity("search foo.example # prod.svc.hidden.local\n").clusterDomainSource())
                .isEqualTo(PodIdentity.DomainSource.DEFAULT);
    }

    @Test
    void anUnsafeDomainInResolvConfIsAClearErrorNotASilentDefault() {
        assertThatThrownBy(() -> identity("search prod.svc.clu=ster.local\n"))
                .isInstanceOf(AgentException.class)
                .hasMessageContaining("resolv.conf search entry 'prod.svc.clu=ster.local'")
                .hasMessageContaining("--cluster-domain");
    }

    @Test
    void aGivenClusterDomainMeansResolvConfIsNotRead() {
        PodIdentity id = PodIdentity.fromEnv(Map.of("POD_NAME", "galera-0"), "h", "search default.svc.clu=ster.local\n", null, "given.local");
        assertThat(id.clusterDomain()).isEqualTo("given.local");
    }
}
