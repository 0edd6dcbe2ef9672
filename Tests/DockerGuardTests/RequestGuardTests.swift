// slipway — DockerGuard tests
// SPDX-License-Identifier: Apache-2.0

import DockerGuard
import HTTP
import Testing

/// Every rule of the guard, as a table: a request (and what lookups found) in, a decision out.
@Suite("request guard rules")
struct RequestGuardTests {
    static let workspace = "/srv/slipway/workspaces/7"
    static let mine = String(repeating: "a", count: 64)
    static let theirs = String(repeating: "b", count: 64)
    static let ownerLabels = ["slipway.managed": "true", "slipway.instance": "i1", "slipway.job": "7"]
    static let foreignLabels = ["slipway.managed": "true", "slipway.instance": "i1", "slipway.job": "8"]

    static func policy(relaxing rules: Set<GuardRule> = []) -> GuardPolicy {
        var policy = GuardPolicy(ownerLabels: Self.ownerLabels, creationLabels: ["slipway.role": "guarded"], workspace: Self.workspace,
                                 engineSocketPath: "/var/run/docker.sock", guardedSocketPath: "/srv/slipway/guard/job-7.sock",
                                 guardedSocketDirectory: "/srv/slipway/guard")
        policy.memoryBytes = 1 << 30
        policy.nanoCPUs = 2_000_000_000
        policy.pidsLimit = 512
        policy.relaxedRules = rules
        return policy
    }

    static let owned = Resolution.found(ObjectFacts(id: mine, labels: ownerLabels))
    static let foreign = Resolution.found(ObjectFacts(id: theirs, labels: foreignLabels))

    enum Expectation: Sendable {
        case refused(GuardRule)
        case status(Int)
        /// Forwarded; the target (when given) and the body contain / lack these texts.
        case forwarded(target: String? = nil, contains: [String] = [], lacks: [String] = [], response: ResponseHandling? = nil)
        case lookUp([ObjectReference])
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var method: HTTPMethod = .post
        var target: String
        var body: String?
        var resolved: [ObjectReference: Resolution] = [:]
        var relaxed: Set<GuardRule> = []
        var contentType: String?
        var expect: Expectation

        var testDescription: String { self.name }
    }

    static func create(_ name: String, _ body: String, resolved: [ObjectReference: Resolution] = [:], relaxed: Set<GuardRule> = [],
                       _ expect: Expectation) -> Case {
        Case(name: name, target: "/v1.41/containers/create", body: body, resolved: resolved, relaxed: relaxed, expect: expect)
    }

    static let cases: [Case] = [
        // Privileged, however the engine's decoder would find it.
        create("privileged", #"{"Image":"x","HostConfig":{"Privileged":true}}"#, .refused(.privileged)),
        create("privileged in lower case", #"{"image":"x","hostconfig":{"privileged":true}}"#, .refused(.privileged)),
        create("privileged at the top level", #"{"Image":"x","Privileged":true}"#, .refused(.privileged)),
        create("privileged under a long-s key", #"{"Image":"x","Ho\u017ftConfig":{"Privileged":true}}"#, .refused(.privileged)),
        create("privileged through an escape", #"{"Image":"x","HostConfig":{"Privil\u0065ged":true}}"#, .refused(.privileged)),
        create("privileged given twice", #"{"HostConfig":{"Privileged":false,"privileged":true}}"#, .status(400)),
        create("privileged as a string", #"{"HostConfig":{"Privileged":"true"}}"#, .status(400)),
        create("privileged relaxed", #"{"HostConfig":{"Privileged":true}}"#, relaxed: [.privileged], .forwarded(contains: [#""Privileged":true"#])),
        create("not privileged", #"{"Image":"x","HostConfig":{"Privileged":false}}"#, .forwarded(response: .recordContainer(bindSources: []))),
        // Capabilities.
        create("cap-add SYS_ADMIN", #"{"HostConfig":{"CapAdd":["SYS_ADMIN"]}}"#, .refused(.capabilities)),
        create("cap-add as one string", #"{"HostConfig":{"CapAdd":"sys_ptrace"}}"#, .refused(.capabilities)),
        create("cap-add ALL", #"{"HostConfig":{"CapAdd":["ALL"]}}"#, .refused(.capabilities)),
        create("cap-add of a default capability", #"{"HostConfig":{"CapAdd":["CAP_CHOWN","NET_RAW"]}}"#, .forwarded()),
        create("capabilities relaxed", #"{"HostConfig":{"CapAdd":["SYS_ADMIN"]}}"#, relaxed: [.capabilities], .forwarded()),
        // Host namespaces and other containers' namespaces.
        create("network host", #"{"HostConfig":{"NetworkMode":"host"}}"#, .refused(.hostNamespaces)),
        create("pid host", #"{"HostConfig":{"PidMode":"host"}}"#, .refused(.hostNamespaces)),
        create("ipc host", #"{"HostConfig":{"IpcMode":"host"}}"#, .refused(.hostNamespaces)),
        create("uts host", #"{"HostConfig":{"UTSMode":"host"}}"#, .refused(.hostNamespaces)),
        create("userns host", #"{"HostConfig":{"UsernsMode":"host"}}"#, .refused(.hostNamespaces)),
        create("network host as an endpoint", #"{"NetworkingConfig":{"EndpointsConfig":{"host":{}}}}"#, .refused(.hostNamespaces)),
        create("host namespaces relaxed", #"{"HostConfig":{"PidMode":"host"}}"#, relaxed: [.hostNamespaces], .forwarded()),
        create("network of a container not looked up", #"{"HostConfig":{"NetworkMode":"container:db"}}"#, .lookUp([.container("db")])),
        create("network of another job's container", #"{"HostConfig":{"NetworkMode":"container:db"}}"#, resolved: [.container("db"): foreign], .status(404)),
        create("network of the job's container", #"{"HostConfig":{"NetworkMode":"container:db"}}"#, resolved: [.container("db"): owned],
               .forwarded(contains: ["container:\(mine)"])),
        create("pid of another job's container", #"{"HostConfig":{"PidMode":"container:db"}}"#, resolved: [.container("db"): foreign], .status(404)),
        create("volumes of another job's container", #"{"HostConfig":{"VolumesFrom":["db:ro"]}}"#, resolved: [.container("db"): foreign], .status(404)),
        create("volumes of the job's container", #"{"HostConfig":{"VolumesFrom":["db:ro"]}}"#, resolved: [.container("db"): owned],
               .forwarded(contains: ["\(mine):ro"])),
        create("link to another job's container", #"{"HostConfig":{"Links":["/db:database"]}}"#, resolved: [.container("db"): foreign], .status(404)),
        create("another job's network", #"{"HostConfig":{"NetworkMode":"theirnet"}}"#, resolved: [.network("theirnet"): foreign], .status(404)),
        create("another job's network as an endpoint", #"{"NetworkingConfig":{"EndpointsConfig":{"theirnet":{}}}}"#,
               resolved: [.network("theirnet"): foreign], .status(404)),
        create("the job's network", #"{"HostConfig":{"NetworkMode":"mynet"}}"#, resolved: [.network("mynet"): owned], .forwarded()),
        // Devices.
        create("device", #"{"HostConfig":{"Devices":[{"PathOnHost":"/dev/sda","PathInContainer":"/dev/sda","CgroupPermissions":"rwm"}]}}"#, .refused(.devices)),
        create("device cgroup rule", #"{"HostConfig":{"DeviceCgroupRules":["b *:* rwm"]}}"#, .refused(.devices)),
        create("gpus", #"{"HostConfig":{"DeviceRequests":[{"Count":-1}]}}"#, .refused(.devices)),
        create("no devices", #"{"HostConfig":{"Devices":[]}}"#, .forwarded()),
        // Security options.
        create("seccomp unconfined", #"{"HostConfig":{"SecurityOpt":["seccomp=unconfined"]}}"#, .refused(.securityOptions)),
        create("seccomp unconfined, old form", #"{"HostConfig":{"SecurityOpt":["seccomp:unconfined"]}}"#, .refused(.securityOptions)),
        create("custom seccomp profile", #"{"HostConfig":{"SecurityOpt":["seccomp={\"defaultAction\":\"SCMP_ACT_ALLOW\"}"]}}"#, .refused(.securityOptions)),
        create("apparmor unconfined", #"{"HostConfig":{"SecurityOpt":["apparmor=unconfined"]}}"#, .refused(.securityOptions)),
        create("selinux off", #"{"HostConfig":{"SecurityOpt":["label=disable"]}}"#, .refused(.securityOptions)),
        create("system paths unconfined", #"{"HostConfig":{"SecurityOpt":["systempaths=unconfined"]}}"#, .refused(.securityOptions)),
        create("masked paths emptied", #"{"HostConfig":{"MaskedPaths":[]}}"#, .refused(.securityOptions)),
        create("no-new-privileges", #"{"HostConfig":{"SecurityOpt":["no-new-privileges"]}}"#, .forwarded()),
        // Bind mounts and the socket.
        create("bind of /", #"{"HostConfig":{"Binds":["/:/host"]}}"#, .refused(.bindMounts)),
        create("bind of /etc through Mounts", #"{"HostConfig":{"Mounts":[{"Type":"bind","Source":"/etc","Target":"/etc"}]}}"#, .refused(.bindMounts)),
        create("bind of another job's workspace", #"{"HostConfig":{"Binds":["/srv/slipway/workspaces/8:/src"]}}"#, .refused(.bindMounts)),
        create("bind with ..", #"{"HostConfig":{"Binds":["/srv/slipway/workspaces/7/../8:/src"]}}"#, .status(400)),
        create("bind of the workspace", #"{"HostConfig":{"Binds":["/srv/slipway/workspaces/7:/src"]}}"#,
               .forwarded(contains: [#""/srv/slipway/workspaces/7:/src""#], response: .recordContainer(bindSources: [workspace]))),
        create("bind of the workspace with a trailing slash", #"{"HostConfig":{"Binds":["/srv/slipway/workspaces/7/:/src:ro"]}}"#,
               .forwarded(contains: [#""/srv/slipway/workspaces/7:/src:ro""#])),
        create("bind inside the workspace, not checked yet", #"{"HostConfig":{"Binds":["/srv/slipway/workspaces/7/conf:/etc/app"]}}"#,
               .lookUp([.workspacePath("\(workspace)/conf")])),
        create("bind inside the workspace through a link", #"{"HostConfig":{"Binds":["/srv/slipway/workspaces/7/conf:/etc/app"]}}"#,
               resolved: [.workspacePath("\(workspace)/conf"): .pathEscapes("conf is a symbolic link")], .refused(.bindMounts)),
        create("bind inside the workspace", #"{"HostConfig":{"Binds":["/srv/slipway/workspaces/7/conf:/etc/app"]}}"#,
               resolved: [.workspacePath("\(workspace)/conf"): .pathInside], .forwarded()),
        create("the socket passed down", #"{"HostConfig":{"Binds":["/var/run/docker.sock:/var/run/docker.sock"]}}"#,
               .forwarded(contains: [#""/srv/slipway/guard/job-7.sock:/var/run/docker.sock""#], lacks: [#""/var/run/docker.sock:"#])),
        create("the socket passed down through Mounts", #"{"HostConfig":{"Mounts":[{"Type":"bind","Source":"/var/run//docker.sock","Target":"/sock"}]}}"#,
               .forwarded(contains: [#""Source":"/srv/slipway/guard/job-7.sock""#])),
        create("the engine's socket under /run", #"{"HostConfig":{"Binds":["/run/docker.sock:/var/run/docker.sock"]}}"#, .refused(.dockerSocket)),
        create("another job's socket", #"{"HostConfig":{"Binds":["/srv/slipway/guard/job-8.sock:/var/run/docker.sock"]}}"#, .refused(.dockerSocket)),
        create("bind mounts relaxed", #"{"HostConfig":{"Binds":["/etc:/host-etc:ro"]}}"#, relaxed: [.bindMounts], .forwarded()),
        create("bind mounts relaxed, the socket's directory", #"{"HostConfig":{"Binds":["/var/run:/host-run"]}}"#, relaxed: [.bindMounts], .refused(.dockerSocket)),
        create("bind mounts and socket relaxed", #"{"HostConfig":{"Binds":["/run/docker.sock:/s"]}}"#, relaxed: [.bindMounts, .dockerSocket], .forwarded()),
        create("a volume that binds a host path", #"{"HostConfig":{"Mounts":[{"Type":"volume","Source":"v","Target":"/v","VolumeOptions":{"DriverConfig":{"Name":"local","Options":{"type":"none","o":"bind","device":"/"}}}}]}}"#,
               .refused(.bindMounts)),
        create("a named-pipe mount", #"{"HostConfig":{"Mounts":[{"Type":"npipe","Source":"x","Target":"/x"}]}}"#, .status(400)),
        create("a named volume, not claimed yet", #"{"HostConfig":{"Binds":["data:/data"]}}"#, .lookUp([.volumeClaim("data")])),
        create("another job's named volume", #"{"HostConfig":{"Binds":["data:/data"]}}"#, resolved: [.volumeClaim("data"): foreign], .status(409)),
        create("the job's named volume", #"{"HostConfig":{"Binds":["data:/data"]}}"#, resolved: [.volumeClaim("data"): owned], .forwarded()),
        create("an anonymous volume through Mounts gets the labels", #"{"HostConfig":{"Mounts":[{"Type":"volume","Target":"/cache"}]}}"#,
               .forwarded(contains: [#""slipway.job":"7""#])),
        create("a volume plugin", #"{"HostConfig":{"VolumeDriver":"convoy"}}"#, .refused(.volumeDrivers)),
        // Cgroups and runtimes.
        create("cgroup parent", #"{"HostConfig":{"CgroupParent":"/system.slice"}}"#, .refused(.cgroupParent)),
        create("another runtime", #"{"HostConfig":{"Runtime":"kata"}}"#, .refused(.runtime)),
        create("the default runtime", #"{"HostConfig":{"Runtime":"runc"}}"#, .forwarded()),
        // Limits.
        create("limits applied", #"{"Image":"x"}"#,
               .forwarded(contains: [#""Memory":1073741824"#, #""MemorySwap":1073741824"#, #""NanoCpus":2000000000"#, #""PidsLimit":512"#])),
        create("limits clamped", #"{"HostConfig":{"Memory":4294967296,"NanoCpus":8000000000,"PidsLimit":-1}}"#,
               .forwarded(contains: [#""Memory":1073741824"#, #""NanoCpus":2000000000"#, #""PidsLimit":512"#], lacks: ["4294967296"])),
        create("smaller limits kept", #"{"HostConfig":{"Memory":67108864,"NanoCpus":500000000,"PidsLimit":64}}"#,
               .forwarded(contains: [#""Memory":67108864"#, #""MemorySwap":67108864"#, #""NanoCpus":500000000"#, #""PidsLimit":64"#])),
        create("cpu quota becomes nano CPUs", #"{"HostConfig":{"CpuQuota":400000,"CpuPeriod":100000}}"#,
               .forwarded(contains: [#""NanoCpus":2000000000"#], lacks: ["CpuQuota", "CpuPeriod"])),
        create("a top-level memory limit is read too", #"{"Memory":4294967296,"HostConfig":{}}"#, .forwarded(contains: [#""Memory":1073741824"#], lacks: ["4294967296"])),
        create("negative OOM score", #"{"HostConfig":{"OomScoreAdj":-500}}"#, .refused(.resourceLimits)),
        create("a memory limit as a fraction", #"{"HostConfig":{"Memory":1.5e9}}"#, .status(400)),
        create("limits relaxed", #"{"Image":"x"}"#, relaxed: [.resourceLimits], .forwarded(lacks: ["Memory", "NanoCpus", "PidsLimit"])),
        // Restart policies on workspace subdirectories.
        create("restart policy with a bind inside the workspace", #"{"HostConfig":{"Binds":["/srv/slipway/workspaces/7/data:/d"],"RestartPolicy":{"Name":"always"}}}"#,
               resolved: [.workspacePath("\(workspace)/data"): .pathInside], .refused(.restartPolicies)),
        create("restart policy with the workspace", #"{"HostConfig":{"Binds":["/srv/slipway/workspaces/7:/d"],"RestartPolicy":{"Name":"always"}}}"#, .forwarded()),
        // Labels.
        create("a reserved label", #"{"Labels":{"slipway.job":"8"}}"#, .refused(.reservedLabels)),
        create("labels kept and the job's added", #"{"Labels":{"app":"web"}}"#,
               .forwarded(contains: [#""app":"web""#, #""slipway.job":"7""#, #""slipway.role":"guarded""#, #""slipway.instance":"i1""#])),
        create("not an object", #"[1,2]"#, .status(400)),
        create("trailing data after the body", #"{"Image":"x"} {"HostConfig":{"Privileged":true}}"#, .status(400)),

        // Lists, events and prunes are the job's.
        Case(name: "container list", method: .get, target: "/v1.41/containers/json?all=1",
             expect: .forwarded(target: "/v1.41/containers/json?all=1&filters=%7B%22label%22%3A%5B%22slipway.instance%3Di1%22%2C%22slipway.job%3D7%22%2C%22slipway.managed%3Dtrue%22%5D%7D")),
        Case(name: "container list with filters", method: .get,
             target: "/containers/json?filters=%7B%22status%22%3A%5B%22exited%22%5D%2C%22label%22%3A%7B%22a%3Db%22%3Atrue%7D%7D",
             expect: .forwarded(target: "/containers/json?filters=%7B%22status%22%3A%5B%22exited%22%5D%2C%22label%22%3A%5B%22a%3Db%22%2C%22slipway.instance%3Di1%22%2C%22slipway.job%3D7%22%2C%22slipway.managed%3Dtrue%22%5D%7D")),
        Case(name: "events", method: .get, target: "/v1.41/events?since=1", expect: .forwarded(contains: [])),
        Case(name: "container prune", target: "/v1.41/containers/prune", expect: .forwarded(target: "/v1.41/containers/prune?filters=%7B%22label%22%3A%5B%22slipway.instance%3Di1%22%2C%22slipway.job%3D7%22%2C%22slipway.managed%3Dtrue%22%5D%7D")),
        Case(name: "image prune", target: "/v1.41/images/prune", expect: .refused(.sharedCache)),
        Case(name: "build cache prune", target: "/v1.41/build/prune", expect: .refused(.sharedCache)),
        Case(name: "data usage", method: .get, target: "/v1.41/system/df", expect: .forwarded(response: .filterDataUsage)),

        // What the guard does not serve.
        Case(name: "an old API version", method: .get, target: "/v1.23/containers/json", expect: .refused(.apiVersion)),
        Case(name: "swarm", method: .get, target: "/v1.41/swarm", expect: .refused(.endpoint)),
        Case(name: "plugins", target: "/v1.41/plugins/pull?remote=evil", expect: .refused(.endpoint)),
        Case(name: "copy", target: "/v1.41/containers/abc/copy", resolved: [.container("abc"): owned], expect: .refused(.endpoint)),
        Case(name: "a semicolon in the query", method: .get, target: "/v1.41/containers/json?all=1;filters=x", expect: .status(400)),
        Case(name: "a dot-dot path", method: .get, target: "/v1.41/containers/../images/json", expect: .status(400)),
        Case(name: "a form body", target: "/v1.41/containers/prune", contentType: "application/x-www-form-urlencoded", expect: .status(400)),
        Case(name: "ping", method: .head, target: "/_ping", expect: .forwarded(target: "/_ping")),

        // The job's objects and others'.
        Case(name: "stop another job's container", target: "/v1.41/containers/web/stop", resolved: [.container("web"): foreign], expect: .status(404)),
        Case(name: "stop a container not looked up", target: "/v1.41/containers/web/stop", expect: .lookUp([.container("web")])),
        Case(name: "stop the job's container", target: "/v1.41/containers/web/stop?t=3", resolved: [.container("web"): owned],
             expect: .forwarded(target: "/v1.41/containers/\(mine)/stop?t=3")),
        Case(name: "logs of another job's container", method: .get, target: "/v1.41/containers/web/logs?stdout=1", resolved: [.container("web"): foreign],
             expect: .status(404)),
        Case(name: "remove the job's container", method: .delete, target: "/v1.41/containers/web?force=1", resolved: [.container("web"): owned],
             expect: .forwarded(target: "/v1.41/containers/\(mine)?force=1&v=1")),
        Case(name: "exec privileged", target: "/v1.41/containers/web/exec", body: #"{"Cmd":["sh"],"Privileged":true}"#,
             resolved: [.container("web"): owned], expect: .refused(.privileged)),
        Case(name: "exec", target: "/v1.41/containers/web/exec", body: #"{"Cmd":["sh"]}"#, resolved: [.container("web"): owned],
             expect: .forwarded(target: "/v1.41/containers/\(mine)/exec", response: .recordExec)),
        Case(name: "start another job's exec", target: "/v1.41/exec/e1/start", body: nil, resolved: [.exec("e1"): foreign], expect: .status(404)),
        Case(name: "start the job's exec", target: "/v1.41/exec/e1/start", resolved: [.exec("e1"): owned], expect: .forwarded(target: "/v1.41/exec/\(mine)/start")),
        Case(name: "start a container whose workspace bind became a link", target: "/v1.41/containers/web/start",
             resolved: [.container("web"): .found(ObjectFacts(id: mine, labels: ownerLabels, bindSources: ["\(workspace)/data"])),
                        .workspacePath("\(workspace)/data"): .pathEscapes("data is a symbolic link")],
             expect: .refused(.bindMounts)),
        Case(name: "update beyond the limits", target: "/v1.41/containers/web/update", body: #"{"Memory":4294967296}"#, resolved: [.container("web"): owned],
             expect: .forwarded(contains: [#""Memory":1073741824"#])),
        Case(name: "update to a restart policy with a workspace bind", target: "/v1.41/containers/web/update", body: #"{"RestartPolicy":{"Name":"always"}}"#,
             resolved: [.container("web"): .found(ObjectFacts(id: mine, labels: ownerLabels, bindSources: ["\(workspace)/data"]))],
             expect: .refused(.restartPolicies)),
        Case(name: "commit another job's container", target: "/v1.41/commit?container=web&repo=x", resolved: [.container("web"): foreign], expect: .status(404)),
        Case(name: "commit the job's container", target: "/v1.41/commit?container=web&repo=snap", resolved: [.container("web"): owned],
             expect: .forwarded(response: .recordTags(["snap:latest"]))),

        // Images are shared; removal only of the job's tags.
        Case(name: "remove a tag the job did not create", method: .delete, target: "/v1.41/images/app", resolved: [.imageTag("app:latest"): .absent],
             expect: .refused(.imageRemoval)),
        Case(name: "remove a tag the job created", method: .delete, target: "/v1.41/images/docker.io/library/app:latest?force=1",
             resolved: [.imageTag("app:latest"): owned], expect: .forwarded(target: "/v1.41/images/docker.io/library/app:latest?force=1")),
        Case(name: "remove an image by ID", method: .delete, target: "/v1.41/images/sha256:0123", expect: .refused(.imageRemoval)),
        Case(name: "build on the host network", target: "/v1.41/build?t=app&networkmode=host", expect: .refused(.hostNamespaces)),
        Case(name: "build in another cgroup", target: "/v1.41/build?cgroupparent=/x", expect: .refused(.cgroupParent)),
        Case(name: "build records its tags", target: "/v1.41/build?t=app&t=registry.local:5000/team/app:1",
             expect: .forwarded(response: .recordTagsAfterStream(["app:latest", "registry.local:5000/team/app:1"]))),
        Case(name: "tag records the tag", target: "/v1.41/images/app/tag?repo=app&tag=v2", expect: .forwarded(response: .recordTags(["app:v2"]))),

        // Volumes and networks.
        Case(name: "volume that binds /", target: "/v1.41/volumes/create", body: #"{"Name":"v","DriverOpts":{"type":"none","o":"bind","device":"/"}}"#,
             expect: .refused(.bindMounts)),
        Case(name: "tmpfs volume", target: "/v1.41/volumes/create", body: #"{"Name":"v","DriverOpts":{"type":"tmpfs","device":"tmpfs","o":"size=1m"}}"#,
             resolved: [.volume("v"): .absent], expect: .forwarded(contains: [#""slipway.job":"7""#])),
        Case(name: "volume named like another job's", target: "/v1.41/volumes/create", body: #"{"Name":"v"}"#, resolved: [.volume("v"): foreign],
             expect: .status(409)),
        Case(name: "inspect another job's volume", method: .get, target: "/v1.41/volumes/v", resolved: [.volume("v"): foreign], expect: .status(404)),
        Case(name: "macvlan network", target: "/v1.41/networks/create", body: #"{"Name":"n","Driver":"macvlan"}"#, expect: .refused(.networkDrivers)),
        Case(name: "network on a host bridge", target: "/v1.41/networks/create", body: #"{"Name":"n","Options":{"com.docker.network.bridge.name":"docker0"}}"#,
             expect: .refused(.networkDrivers)),
        Case(name: "network", target: "/v1.41/networks/create", body: #"{"Name":"n"}"#, expect: .forwarded(contains: [#""slipway.job":"7""#])),
        Case(name: "connect another job's container", target: "/v1.41/networks/n/connect", body: #"{"Container":"web"}"#,
             resolved: [.network("n"): owned, .container("web"): foreign], expect: .status(404)),
        Case(name: "connect the job's container", target: "/v1.41/networks/n/connect", body: #"{"Container":"web"}"#,
             resolved: [.network("n"): owned, .container("web"): owned], expect: .forwarded(target: "/v1.41/networks/\(mine)/connect", contains: [mine])),
    ]

    @Test(arguments: cases)
    func decides(_ testCase: Case) throws {
        var fields: HTTPFields = ["Host": "docker"]
        if let type = testCase.contentType { fields.append(name: "Content-Type", value: type) }
        let head = HTTPRequestHead(method: testCase.method, target: testCase.target, fields: fields)
        let rules = RequestGuard(policy: Self.policy(relaxing: testCase.relaxed))
        let decision: GuardDecision
        do {
            var request = try EngineRequest(head: head)
            if let body = testCase.body { request.body = try? JSONTree.parse(Array(body.utf8)) }
            if testCase.body != nil && request.body == nil {
                decision = .refuse(.badRequest("not JSON"))
            } else {
                decision = rules.decide(request, resolved: testCase.resolved)
            }
        } catch {
            decision = .refuse(error)
        }
        switch (testCase.expect, decision) {
        case (.refused(let rule), .refuse(let refusal)):
            #expect(refusal.rule == rule, "\(refusal)")
            #expect(refusal.status.code == 403)
            #expect(refusal.message.contains("rule \(rule.rawValue)"), "the message names the rule: \(refusal.message)")
        case (.status(let status), .refuse(let refusal)):
            #expect(refusal.status.code == status, "\(refusal)")
        case (.lookUp(let expected), .lookUp(let references)):
            #expect(references == expected)
        case (.forwarded(let target, let contains, let lacks, let response), .forward(let forwarding)):
            if let target { #expect(forwarding.target == target) }
            let body = forwarding.body.map { String(decoding: $0, as: UTF8.self) } ?? ""
            for text in contains { #expect(body.contains(text) || forwarding.target.contains(text), "\(text) in \(body)") }
            for text in lacks { #expect(!body.contains(text), "\(text) not in \(body)") }
            if let response { #expect(forwarding.response == response) }
            if forwarding.body != nil { #expect(throws: Never.self) { try JSONTree.parse(forwarding.body!) } }
        default:
            Issue.record("expected \(testCase.expect), got \(decision)")
        }
    }

    /// The body the engine gets is what the guard checked: one canonical HostConfig, the
    /// top-level copies gone.
    @Test func theDeprecatedTopLevelHostConfigIsFoldedIntoOne() throws {
        let head = HTTPRequestHead(method: .post, target: "/v1.41/containers/create", fields: ["Host": "docker"])
        var request = try EngineRequest(head: head)
        request.body = try JSONTree.parse(Array(#"{"Image":"x","Binds":["/srv/slipway/workspaces/7:/src"],"CpuShares":512,"Cpuset":"0"}"#.utf8))
        guard case .forward(let forwarding) = RequestGuard(policy: Self.policy()).decide(request) else {
            Issue.record("not forwarded")
            return
        }
        let body = try JSONTree.parse(forwarding.body!)
        guard case .object(let members) = body else { return }
        #expect(members.map(\.key).sorted() == ["HostConfig", "Image", "Labels"])
        let text = String(decoding: forwarding.body!, as: UTF8.self)
        #expect(text.contains(#""Binds":["/srv/slipway/workspaces/7:/src"]"#))
        #expect(text.contains(#""CpuShares":512"#))
        #expect(text.contains(#""CpusetCpus":"0""#))
    }

    @Test func everyRuleHasACaseThatRefusesIt() {
        var covered: Set<GuardRule> = []
        for testCase in Self.cases { if case .refused(let rule) = testCase.expect { covered.insert(rule) } }
        #expect(covered == Set(GuardRule.allCases))
    }
}
