// slipway — Jobs
// SPDX-License-Identifier: Apache-2.0

/// Turns a job's script lines into the shell program its container runs with `sh -e -c`, as
/// GitLab Runner does: each line is echoed (`$ line`) before it runs, and the first failing
/// line ends the job with its exit status. Each line and its output form a collapsible log
/// section (``LogSection``) named `script_step_N`, whose header is the echoed line.
public enum JobScript {
    /// The program for `lines`, run in `workingDirectory`.
    ///
    /// The Docker TLS variables are unset first: an image such as `docker:dind` sets
    /// `DOCKER_TLS_CERTDIR`, and a client that sees TLS settings ignores the plain Unix socket
    /// slipway mounts for it.
    public static func program(for lines: [String], workingDirectory: String) -> String {
        var program = "unset DOCKER_TLS_CERTDIR DOCKER_TLS_VERIFY DOCKER_CERT_PATH\n"
        program += "export DOCKER_HOST=unix:///var/run/docker.sock\n"
        program += "cd \(self.quote(workingDirectory))\n"
        for (index, line) in lines.enumerated() {
            let section = "script_step_\(index + 1)"
            program += LogSection.shellStart(section, header: "$ " + line) + "\n"
            program += line + "\n"
            program += LogSection.shellEnd(section) + "\n"
        }
        return program
    }

    /// Single-quotes `text` for POSIX sh.
    public static func quote(_ text: String) -> String {
        "'" + text.replacing("'", with: "'\\''") + "'"
    }
}
