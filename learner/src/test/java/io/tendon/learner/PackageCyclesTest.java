package io.tendon.learner;

import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * No package of the learner's main code depends, directly or through others, on a package that
 * depends on it: each package of io.tendon.learner and io.tendon.local is a slice, and the class
 * files (not the import lines) say who uses whom. Test classes are left out; they may cross freely.
 */
@AnalyzeClasses(packages = {"io.tendon.learner", "io.tendon.local"}, importOptions = ImportOption.DoNotIncludeTests.class)
class PackageCyclesTest {

    @ArchTest
    static final ArchRule NO_PACKAGE_CYCLES = slices().matching("io.tendon.(**)").namingSlices("$1")
            .should().beFreeOfCycles();

    /** The rule is only as good as what it sees: main classes of both roots, no test classes. */
    @ArchTest
    static void importsMainClassesOnly(JavaClasses classes) {
        assertTrue(classes.contain("io.tendon.learner.ingest.IngestLoop"), "learner main classes");
        assertTrue(classes.contain("io.tendon.local.LocalStack"), "local main classes");
        assertFalse(classes.contain(PackageCyclesTest.class), "no test classes");
        assertFalse(classes.contain(LearnerTestConfig.class), "no test helpers");
    }
}
