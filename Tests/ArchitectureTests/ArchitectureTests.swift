// slipway — architecture tests
// SPDX-License-Identifier: Apache-2.0

import Testing
import TestSupport

/// What the repository says about itself stays true.
@Suite("architecture")
struct ArchitectureTests {
    @Test func theModuleGraphInTheArchitectureDocumentIsCurrent() async throws {
        let result = try await ProcessRunner.run(
            "python3", ["\(ProcessRunner.repositoryRoot)/scripts/module-graph.py", "--check"])
        #expect(result.status == 0, "\(result.stderr)")
    }
}
