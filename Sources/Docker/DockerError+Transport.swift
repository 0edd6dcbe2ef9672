// slipway — Docker
// SPDX-License-Identifier: Apache-2.0

#if canImport(Glibc)
import Glibc
#endif
import HTTP
import Sockets

extension DockerError {
    /// Where in a call a transport failure happened: before the response head (the daemon is
    /// not there, or not answering) or while reading the body (it went away mid-stream).
    enum Phase {
        case request
        case body
    }

    /// Translates an HTTP client or socket failure into a ``DockerError``.
    static func transport(_ error: any Error, operation: String, host: String, phase: Phase) -> DockerError {
        if let error = error as? DockerError { return error }
        if error is CancellationError {
            return DockerError(.cancelled, "the call was cancelled", operation: operation)
        }
        if let error = error as? HTTPClientError {
            switch error.code {
            case .connectFailed:
                return DockerError(.daemonUnavailable, "cannot connect to the Docker daemon at \(host); is it running?", operation: operation, underlying: error.cause ?? error)
            case .timedOut:
                let what = phase == .request ? "the Docker daemon at \(host) did not answer in time" : "the Docker daemon at \(host) sent nothing for longer than the idle timeout"
                return DockerError(.timedOut, what, operation: operation, underlying: error)
            case .connectionClosed:
                if phase == .request {
                    return DockerError(.daemonUnavailable, "the Docker daemon at \(host) closed the connection before answering", operation: operation, underlying: error)
                }
                return DockerError(.streamFailed, "the connection to the Docker daemon at \(host) broke in the middle of the response (daemon stopped or restarted?)", operation: operation, underlying: error)
            case .malformedResponse:
                return DockerError(.invalidResponse, "the Docker daemon at \(host) sent an invalid HTTP response", operation: operation, underlying: error)
            case .responseTooLarge:
                return DockerError(.invalidResponse, error.message, operation: operation)
            case .cancelled:
                return DockerError(.cancelled, "the call was cancelled", operation: operation)
            default:
                let code: Code = phase == .request ? .daemonUnavailable : .streamFailed
                return DockerError(code, "I/O error talking to the Docker daemon at \(host)", operation: operation, underlying: error)
            }
        }
        if let failure = error as? AsyncSocket.Failure {
            switch failure {
            case .timedOut:
                return DockerError(.timedOut, "the Docker daemon at \(host) sent nothing for longer than the idle timeout", operation: operation, underlying: failure)
            case .closed:
                return DockerError(.streamFailed, "the connection to the Docker daemon at \(host) was closed", operation: operation, underlying: failure)
            }
        }
        if let system = error as? SystemError, phase == .request || system.errno == ECONNRESET || system.errno == EPIPE {
            let code: Code = phase == .request ? .daemonUnavailable : .streamFailed
            return DockerError(code, "the connection to the Docker daemon at \(host) failed", operation: operation, underlying: system)
        }
        return DockerError(phase == .request ? .daemonUnavailable : .streamFailed, "talking to the Docker daemon at \(host) failed", operation: operation, underlying: error)
    }
}
