// slipway — GitLab
// SPDX-License-Identifier: Apache-2.0

/// The `CI_*` variables GitLab sets for every job, computed the way GitLab's documentation
/// ("Predefined CI/CD variables reference") describes them.
public enum PredefinedVariables {
    /// The pipeline-wide variables: the same for every job of one pipeline.
    ///
    /// Branch pipelines get `CI_COMMIT_BRANCH`, tag pipelines `CI_COMMIT_TAG`, merge request
    /// pipelines neither but `CI_MERGE_REQUEST_*` (and `CI_COMMIT_REF_NAME` = the source
    /// branch), as in GitLab.
    public static func pipeline(_ trigger: PipelineTrigger, pipelineID: Int64) -> [String: String] {
        var variables: [String: String] = [
            "CI": "true",
            "GITLAB_CI": "true",
            "CI_PIPELINE_ID": String(pipelineID),
            "CI_PIPELINE_SOURCE": trigger.source.rawValue,
            "CI_COMMIT_SHA": trigger.sha,
            "CI_COMMIT_SHORT_SHA": String(trigger.sha.prefix(8)),
            "CI_COMMIT_BEFORE_SHA": trigger.beforeSHA,
            "CI_COMMIT_REF_NAME": trigger.ref.name,
            "CI_COMMIT_REF_SLUG": self.slug(trigger.ref.name),
            "CI_PROJECT_ID": String(trigger.project.id),
            "CI_PROJECT_PATH": trigger.project.path,
            "CI_PROJECT_NAME": trigger.project.name,
            "CI_PROJECT_NAMESPACE": trigger.project.namespace,
        ]
        if let message = trigger.commitMessage {
            variables["CI_COMMIT_MESSAGE"] = message
            variables["CI_COMMIT_TITLE"] = CommitMessage.title(of: message)
        }
        if let defaultBranch = trigger.project.defaultBranch { variables["CI_DEFAULT_BRANCH"] = defaultBranch }
        if let url = trigger.project.webURL { variables["CI_PROJECT_URL"] = url }
        if let login = trigger.userLogin { variables["GITLAB_USER_LOGIN"] = login }
        if let mergeRequest = trigger.mergeRequest {
            variables["CI_MERGE_REQUEST_IID"] = String(mergeRequest.iid)
            variables["CI_MERGE_REQUEST_SOURCE_BRANCH_NAME"] = mergeRequest.sourceBranch
            variables["CI_MERGE_REQUEST_TARGET_BRANCH_NAME"] = mergeRequest.targetBranch
        } else {
            switch trigger.ref {
            case .branch(let name): variables["CI_COMMIT_BRANCH"] = name
            case .tag(let name): variables["CI_COMMIT_TAG"] = name
            }
        }
        return variables
    }

    /// The variables that differ per job.
    /// - Parameters:
    ///   - projectDirectory: the job's checkout, `CI_PROJECT_DIR` (the same absolute path on
    ///     the host and in the job's containers).
    public static func job(name: String, stage: String, jobID: Int64?, projectDirectory: String?) -> [String: String] {
        var variables = ["CI_JOB_NAME": name, "CI_JOB_STAGE": stage]
        if let jobID { variables["CI_JOB_ID"] = String(jobID) }
        if let projectDirectory { variables["CI_PROJECT_DIR"] = projectDirectory }
        return variables
    }

    /// GitLab's slug (`CI_COMMIT_REF_SLUG`, `CI_ENVIRONMENT_SLUG`'s cousin): lowercased, every
    /// character outside `[a-z0-9]` replaced by `-`, cut to 63 bytes, no leading or trailing `-`.
    /// (`Gitlab::Utils.slugify`: `downcase`, `gsub(/[^a-z0-9]/, '-')[0..62]`, then strip `-`.)
    public static func slug(_ text: String) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(min(text.utf8.count, 63))
        // Per character, not per byte: GitLab works on Ruby characters, so "é" becomes one "-".
        for scalar in text.lowercased().unicodeScalars {
            if bytes.count == 63 { break }
            let isAllowed = (scalar >= "a" && scalar <= "z") || (scalar >= "0" && scalar <= "9")
            bytes.append(isAllowed ? UInt8(scalar.value) : UInt8(ascii: "-"))
        }
        while bytes.first == UInt8(ascii: "-") { bytes.removeFirst() }
        while bytes.last == UInt8(ascii: "-") { bytes.removeLast() }
        return String(decoding: bytes, as: UTF8.self)
    }
}
