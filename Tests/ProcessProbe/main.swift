// slipway — a probe for the child-process tests
// SPDX-License-Identifier: Apache-2.0
//
//   slipway-process-probe orphan   starts `sleep 300` as a ChildProcess, prints its pid, then
//                                  dies by SIGKILL: the sleep must die with it.

#if canImport(Glibc)
import Glibc
#endif
import Processes

let arguments = CommandLine.arguments.dropFirst()
switch arguments.first {
case "orphan":
    let child = try await ChildProcess.start(ChildProcessConfiguration(
        executable: "/bin/sleep", arguments: ["300"], environment: [:], standardOutput: .null, standardError: .null))
    let line = Array("CHILD \(child.pid)\n".utf8)
    _ = line.withUnsafeBytes { write(1, $0.baseAddress, $0.count) }
    kill(getpid(), SIGKILL)
default:
    let usage = Array("usage: slipway-process-probe orphan\n".utf8)
    _ = usage.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
    exit(2)
}
