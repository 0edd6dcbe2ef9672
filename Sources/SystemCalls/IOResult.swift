// slipway — SystemCalls
// SPDX-License-Identifier: Apache-2.0

/// The outcome of a non-blocking I/O call: either it did its work, or it would have blocked.
///
/// "Would block" is an ordinary answer for a non-blocking descriptor, so it is a value here,
/// never an error.
public enum IOResult<Value> {
    case processed(Value)
    case wouldBlock
}

extension IOResult: Sendable where Value: Sendable {}
extension IOResult: Equatable where Value: Equatable {}
