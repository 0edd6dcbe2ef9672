// slipway — Docker
// SPDX-License-Identifier: Apache-2.0

/// A finished exec: its exit code and output.
public struct ExecResult: Sendable, Hashable {
    public var exitCode: Int
    public var output: DockerOutput

    public init(exitCode: Int, output: DockerOutput) {
        self.exitCode = exitCode
        self.output = output
    }
}
