package io.tendon.edge;

import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * No package of the edge's main code depends, directly or through others, on a package that
 * depends on it: each package of io.tendon.edge is a slice, and the class files (not the import
 * lines) say who uses whom. Test classes are left out.
 */
@AnalyzeClasses(packages = "io.tendon.edge", importOptions = ImportOption.DoNotIncludeTests.class)
class PackageCyclesTest {

    @ArchTest
    static final ArchRule NO_PACKAGE_CYCLES = slices().matching("io.tendon.edge.(**)").namingSlices("$1")
            .should().beFreeOfCycles();

    /** The rule is only as good as what it sees: the main classes, no test classes. */
    @ArchTest
    static void importsMainClassesOnly(JavaClasses classes) {
        assertTrue(classes.contain("io.tendon.edge.step.RobotLoop"), "edge main classes");
        assertTrue(classes.contain("io.tendon.edge.grpc.RobotBridgeService"), "edge main classes");
        assertFalse(classes.contain(PackageCyclesTest.class), "no test classes");
    }
}
