// slipway — Docker tests
// SPDX-License-Identifier: Apache-2.0

import Foundation
import Testing

@testable import Docker

@Suite("Docker client: parsing and encoding")
struct DockerClientUnitTests {
    @Test("DOCKER_HOST forms", arguments: [
        ("unix:///var/run/docker.sock", DockerHost.Endpoint.unix(path: "/var/run/docker.sock")),
        ("tcp://127.0.0.1:2375", .tcp(host: "127.0.0.1", port: 2375)),
        ("tcp://docker:2376/", .tcp(host: "docker", port: 2376)),
        ("tcp://[::1]:2375", .tcp(host: "::1", port: 2375)),
        ("tcp://10.0.0.5", .tcp(host: "10.0.0.5", port: 2375)),
        ("http://localhost:8080", .tcp(host: "localhost", port: 8080)),
    ])
    func hosts(text: String, endpoint: DockerHost.Endpoint) throws {
        let host = try DockerHost(parsing: text)
        #expect(host.endpoint == endpoint)
        #expect(try DockerHost(parsing: host.description) == host)
    }

    @Test("unsupported DOCKER_HOST forms are refused with the reason", arguments: [
        "ssh://user@host", "npipe:////./pipe/docker_engine", "unix://relative.sock", "tcp://:2375", "tcp://host:99999", "tcp://host:2375/prefix", "/var/run/docker.sock",
    ])
    func badHosts(text: String) {
        do {
            _ = try DockerHost(parsing: text)
            Issue.record("\(text) should be refused")
        } catch {
            #expect(error.code == .invalidArgument)
            #expect(error.message.contains(text))
        }
    }

    @Test("host names are resolved off the cooperative pool; numbers and localhost directly")
    func resolve() async throws {
        #expect(try await DockerHost(parsing: "tcp://localhost:2375").resolve() == .ipv4(host: "127.0.0.1", port: 2375))
        #expect(try await DockerHost(parsing: "unix:///run/x.sock").resolve() == .unix(path: "/run/x.sock"))
        await #expect(throws: DockerError.self) { _ = try await DockerHost(parsing: "tcp://no-such-host.invalid:2375").resolve() }
    }

    @Test("API versions compare numerically")
    func versions() {
        #expect(DockerAPIVersion("1.41")! < DockerAPIVersion("1.44")!)
        #expect(DockerAPIVersion("1.9")! < DockerAPIVersion("1.10")!)
        #expect(DockerAPIVersion("1.41")?.description == "1.41")
        #expect(DockerAPIVersion("1") == nil)
        #expect(DockerAPIVersion("v1.41") == nil)
        #expect(min(DockerAPIVersion.clientMaximum, DockerAPIVersion(1, 52)) == DockerAPIVersion(1, 44))
    }

    @Test("query values and path segments are percent-encoded; image references keep / : @")
    func escaping() {
        var query = DockerQuery()
        query.add("filters", DockerFilters().label("slipway.job", "4 2"))
        query.add("all", true)
        query.add("absent", nil as String?)
        #expect(query.encoded == "?filters=%7B%22label%22%3A%5B%22slipway.job%3D4%202%22%5D%7D&all=1")
        #expect(DockerQuery.imageSegment("registry:5000/team/app@sha256:ab") == "registry:5000/team/app@sha256:ab")
        #expect(DockerQuery.segment("a/b c") == "a%2Fb%20c")
    }

    @Test("pull references always carry a tag or digest", arguments: [
        ("busybox", "busybox", "latest"),
        ("busybox:1.36", "busybox", "1.36"),
        ("registry:5000/team/app", "registry:5000/team/app", "latest"),
        ("registry:5000/team/app:2", "registry:5000/team/app", "2"),
        ("app@sha256:0123", "app", "sha256:0123"),
        ("app:1@sha256:0123", "app", "sha256:0123"),
    ])
    func references(reference: String, name: String, tag: String) throws {
        let split = try DockerClient.splitReference(reference)
        #expect(split.name == name)
        #expect(split.tag == tag)
    }

    @Test("JSON lines split across reads, with CRLF, blank lines and no final newline")
    func jsonLines() throws {
        var splitter = JSONLineSplitter()
        var lines: [String] = []
        for piece in ["{\"a\":1}\r\n{\"b\"", ":2}\n\n  \r\n{\"c\":3", "}"] {
            lines += try splitter.append(Array(piece.utf8)).map { String(decoding: $0, as: UTF8.self) }
        }
        if let last = splitter.finish() { lines.append(String(decoding: last, as: UTF8.self)) }
        #expect(lines == ["{\"a\":1}", "{\"b\":2}", "{\"c\":3}"])
    }

    @Test("progress lines: errors, build output, aux image IDs, odd aux shapes")
    func progressMessages() throws {
        let decoder = JSONDecoder()
        let failure = try decoder.decode(ProgressMessage.self, from: Data(#"{"errorDetail":{"message":"manifest unknown"},"error":"manifest unknown"}"#.utf8))
        #expect(failure.failure == "manifest unknown")
        let aux = try decoder.decode(ProgressMessage.self, from: Data(#"{"aux":{"ID":"sha256:abc"}}"#.utf8))
        #expect(aux.aux?.id == "sha256:abc")
        let buildkit = try decoder.decode(ProgressMessage.self, from: Data(#"{"id":"moby.buildkit.trace","aux":"CmQKR3NoYTI1Ng=="}"#.utf8))
        #expect(buildkit.aux == nil)
        #expect(buildkit.failure == nil)
        var result = ProgressResult()
        result.record(ProgressMessage(stream: "Loaded image: busybox:latest\n"))
        result.record(aux)
        #expect(result.loadedImages == ["busybox:latest"])
        #expect(result.imageID == "sha256:abc")
    }

    @Test("create requests encode the engine's PascalCase keys and leave nil out")
    func createEncoding() throws {
        var request = ContainerCreateRequest(image: "busybox", cmd: ["true"], env: ["A=b"], labels: ["slipway.job": "1"])
        request.hostConfig = HostConfig(mounts: [.bind("/var/run/docker.sock", at: "/var/run/docker.sock"), .volume(nil, at: "/var/lib/docker"), .tmpfs(at: "/run", sizeBytes: 1024)], networkMode: "none", capAdd: ["ALL"], capDrop: ["SYS_RESOURCE"], nanoCPUs: 1_000_000_000, initProcess: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let json = String(decoding: try encoder.encode(request), as: UTF8.self)
        #expect(json == #"{"Cmd":["true"],"Env":["A=b"],"HostConfig":{"CapAdd":["ALL"],"CapDrop":["SYS_RESOURCE"],"Init":true,"Mounts":[{"Source":"/var/run/docker.sock","Target":"/var/run/docker.sock","Type":"bind"},{"Target":"/var/lib/docker","Type":"volume"},{"Target":"/run","TmpfsOptions":{"SizeBytes":1024},"Type":"tmpfs"}],"NanoCpus":1000000000,"NetworkMode":"none"},"Image":"busybox","Labels":{"slipway.job":"1"}}"#)
    }

    @Test("only a none network without extra hosts or a read-only root skips the sandbox, and then encodes NetworkDisabled")
    func networkSandboxSkipping() throws {
        func request(_ network: String?, configure: (inout HostConfig) -> Void = { _ in }) -> ContainerCreateRequest {
            var hostConfig = HostConfig(networkMode: network)
            configure(&hostConfig)
            return ContainerCreateRequest(image: "busybox", cmd: ["true"], hostConfig: hostConfig)
        }
        let none = request("none")
        #expect(none.skipsNetworkSandbox)
        #expect(none.networkDisabled == nil)
        #expect(none.withNetworkSandboxSkipped.networkDisabled == true)
        #expect(none.withNetworkSandboxSkipped.hostConfig?.networkMode == "none")
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        #expect(String(decoding: try encoder.encode(none.withNetworkSandboxSkipped), as: UTF8.self)
            == #"{"Cmd":["true"],"HostConfig":{"NetworkMode":"none"},"Image":"busybox","NetworkDisabled":true}"#)
        #expect(String(decoding: try encoder.encode(none), as: UTF8.self) == #"{"Cmd":["true"],"HostConfig":{"NetworkMode":"none"},"Image":"busybox"}"#)

        var chosen = none
        chosen.networkDisabled = false
        let others = [
            request("bridge"), request("host"), request(nil), request("container:abc"), ContainerCreateRequest(image: "busybox"),
            request("none") { $0.extraHosts = ["db:127.0.0.1"] }, request("none") { $0.readonlyRootfs = true }, chosen,
        ]
        for other in others {
            #expect(!other.skipsNetworkSandbox)
            #expect(other.withNetworkSandboxSkipped == other)
        }
        #expect(request("none") { $0.extraHosts = [] }.skipsNetworkSandbox)
        #expect(DockerClient.networkNoneHostsFile.hasPrefix("127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n"))
    }

    @Test("inspect answers with nulls decode")
    func inspectDecoding() throws {
        let json = #"{"Id":"abc","Name":"/x","State":{"Status":"exited","Running":false,"ExitCode":3,"Error":""},"Config":{"Image":"busybox","Cmd":null,"Env":null,"Labels":{},"Tty":false},"HostConfig":{"NetworkMode":"none","Init":null,"Mounts":null},"Mounts":[]}"#
        let inspect = try JSONDecoder().decode(ContainerInspect.self, from: Data(json.utf8))
        #expect(inspect.state?.exitCode == 3)
        #expect(inspect.config?.cmd == nil)
        #expect(inspect.hostConfig?.initProcess == nil)
        let wait = try JSONDecoder().decode(ContainerWaitResult.self, from: Data(#"{"Error":null,"StatusCode":137}"#.utf8))
        #expect(wait.statusCode == 137 && wait.error == nil)
    }

    @Test("timestamps for since/until")
    func timestamps() {
        #expect(DockerClient.timestamp(1_700_000_000) == "1700000000")
        #expect(DockerClient.timestamp(1_700_000_000.5) == "1700000000.500000000")
    }
}
