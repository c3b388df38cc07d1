package dev.agentsandbox.architecture;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What may depend on what among the platform's packages (docs/architecture.md, "Packages"), checked on the compiled
 * production classes. Each role (controller, router, agent, client) stands on its own so that it can ship and change
 * alone; only local mode, which runs them all in one process, may reach into every role.
 */
class PackageRulesTest {

    private static final String ROOT = "dev.agentsandbox";
    private static final List<String> ROLES = List.of("controller", "router", "agent", "client");

    private static JavaClasses production;

    @BeforeAll
    static void importProductionClasses() {
        production = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_JARS)
                .importPackages(ROOT);
    }

    private static String pkg(String name) {
        return name.isEmpty() ? ROOT + ".." : ROOT + "." + name + "..";
    }

    /** The CRD model, and the owner with its chat reply and token Secret format: contracts every role shares. */
    @ParameterizedTest
    @ValueSource(strings = {"api", "owner"})
    void aSharedContractDependsOnNothingOfThePlatformButItself(String shared) {
        noClasses()
                .that()
                .resideInAPackage(pkg(shared))
                .should()
                .dependOnClassesThat(resideInAPackage(pkg("")).and(not(resideInAPackage(pkg(shared)))))
                .because("every role and every client shares it, so it must not drag anything of the platform along")
                .check(production);
    }

    static Stream<String> roles() {
        return ROLES.stream();
    }

    @ParameterizedTest
    @MethodSource("roles")
    void aRoleDependsOnNoOtherRoleNorOnLocalMode(String role) {
        noClasses()
                .that()
                .resideInAPackage(pkg(role))
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(Stream.concat(ROLES.stream().filter(r -> !r.equals(role)), Stream.of("local"))
                        .map(PackageRulesTest::pkg)
                        .toArray(String[]::new))
                .because("each role ships and changes alone; only local mode runs them all together")
                .check(production);
    }

    @Test
    void theAgentLeavesTheCrdModelAndTheOwnerTokenSecretOut() {
        noClasses()
                .that()
                .resideInAnyPackage(pkg("agent"), ROOT + ".owner")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(pkg("api"), pkg("owner.token"))
                .because("the agent image is built without them (the agent profile excludes api/ and owner/token/)")
                .check(production);
    }

    @Test
    void theApplicationShellKnowsNoRole() {
        noClasses()
                .that()
                .resideInAPackage(pkg("app"))
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(Stream.concat(ROLES.stream(), Stream.of("local"))
                        .map(PackageRulesTest::pkg)
                        .toArray(String[]::new))
                .because("roles are chosen at start through configuration, not by the shell importing them")
                .check(production);
    }
}
