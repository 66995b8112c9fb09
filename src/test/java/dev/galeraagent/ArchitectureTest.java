package dev.galeraagent;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.EvaluationResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The layers of docs/architecture.md ("Layers"), checked on the compiled main classes: a package may use only packages
 * of a lower tier, never one of its own tier nor above. A new package must be given a tier here.
 */
class ArchitectureTest {
    private static final String ROOT = "dev.galeraagent";

    /** Top first. Each package may depend on the packages of the tiers below its own, and nothing else of the agent. */
    static final List<Set<String>> TIERS = List.of(
            Set.of("cli"),
            Set.of("probe", "kube", "install"),
            Set.of("bootstrap"),
            Set.of("handoff", "discovery"),
            Set.of("galera", "status"),
            Set.of("errors", "log", "files", "http", "position"));

    private static JavaClasses main;

    @BeforeAll
    static void importMainClasses() {
        main = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages(ROOT);
    }

    @Test
    void theImportSeesTheMainClassesAndTheirDependencies() {
        // a class file format ArchUnit cannot read would make every rule below pass on nothing
        assertThat(main.contain("dev.galeraagent.cli.AgentCommand")).isTrue();
        assertThat(main.get("dev.galeraagent.cli.AgentCommand").getDirectDependenciesFromSelf())
                .anyMatch(d -> d.getTargetClass().getPackageName().startsWith(ROOT + "."));
    }

    @Test
    void everyPackageHasATier() {
        Set<String> packages = main.stream().map(ArchitectureTest::topPackage).filter(p -> !p.isEmpty())
                .collect(Collectors.toCollection(TreeSet::new));
        Set<String> tiered = TIERS.stream().flatMap(Set::stream).collect(Collectors.toCollection(TreeSet::new));
        assertThat(tiered).containsAll(packages);
    }

    @Test
    void noPackageUsesItsOwnTierOrOneAbove() {
        List<String> violations = new ArrayList<>();
        for (int tier = 0; tier < TIERS.size(); tier++) {
            List<String> notBelow = TIERS.subList(0, tier + 1).stream().flatMap(Set::stream).toList();
            for (String pkg : TIERS.get(tier)) {
                String[] forbidden = notBelow.stream().filter(p -> !p.equals(pkg)).map(p -> ROOT + "." + p + "..").toArray(String[]::new);
                if (forbidden.length == 0) {
                    continue;
                }
                EvaluationResult result = noClasses().that().resideInAPackage(ROOT + "." + pkg + "..")
                        .should().dependOnClassesThat().resideInAnyPackage(forbidden)
                        .allowEmptyShould(true)
                        .evaluate(main);
                violations.addAll(result.getFailureReport().getDetails());
            }
        }
        assertThat(violations).as("dependencies on a package of the same tier or above").isEmpty();
    }

    private static String topPackage(JavaClass c) {
        String pkg = c.getPackageName();
        if (!pkg.startsWith(ROOT + ".")) {
            return "";
        }
        String rest = pkg.substring(ROOT.length() + 1);
        int dot = rest.indexOf('.');
        return dot < 0 ? rest : rest.substring(0, dot);
    }
}
