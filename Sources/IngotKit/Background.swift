import Dispatch

/// Runs `work` on a global queue at once; `value()` waits for it and rethrows its error.
///
/// `@unchecked Sendable`: `result` is written once by the worker before `done` is signalled and read only after
/// waiting on `done`.
final class Background<T: Sendable>: @unchecked Sendable {
    private var result: Result<T, any Error>?
    private let done = DispatchSemaphore(value: 0)

    init(_ work: @escaping @Sendable () throws -> T) {
        DispatchQueue.global().async {
            self.result = Result { try work() }
            self.done.signal()
        }
    }

    func value() throws -> T {
        done.wait()
        done.signal()  // later calls return at once
        guard let result else { throw PipelineError.internalError("background work vanished") }
        return try result.get()
    }
}
