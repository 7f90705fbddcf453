import ArgumentParser
import Dispatch
import IngotFormat
import IngotModel
#if canImport(Glibc)
import Glibc
#endif

@main
struct Ingot: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingot",
        abstract: "Inspect, convert, compress and check model-weight files.",
        discussion: """
            Formats: .ingot, .safetensors, .gguf (read/write); Hugging Face directories, PyTorch .bin/.pt, .npy/.npz (read).
            Exit status: 0 success, 1 the file is bad or the operation failed, 64 usage error.
            """,
        version: IngotVersion.string,
        subcommands: [Inspect.self, Check.self, Convert.self, DiffCommand.self, LogitsCommand.self, VerifyCommand.self])

    /// Errors become one line on stderr and exit status 1; usage errors keep ArgumentParser's help and status.
    static func main() {
        tuneBLAS()
        installSignalCleanup()
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let e as FileError {
            fail(e.description)
        } catch let e as IngotError {
            fail(e.description)
        } catch let e as CLIError {
            fail(e.description)
        } catch {
            exit(withError: error)
        }
    }

    static func fail(_ message: String) -> Never {
        var err = StandardError()
        print("ingot: \(message)", to: &err)
        Glibc.exit(1)
    }
}

enum IngotVersion {
    static let string = "0.1.0"
}

/// A CLI-level failure (a bad option combination, an existing output).
struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}

struct StandardError: TextOutputStream {
    mutating func write(_ s: String) { writeStderr(s) }
}

/// stderr without touching C's global `FILE *stderr` (not concurrency-safe in Swift 6).
func writeStderr(_ s: String) {
    var s = s
    s.withUTF8 { b in _ = Glibc.write(2, b.baseAddress, b.count) }
}

/// The forward pass runs on OpenBLAS, which picks its kernels when it loads. When it picked generic ones for a CPU
/// that has AVX-512 or AVX2 (Debian's 0.3.21 does not know recent CPUs), re-execute once with `OPENBLAS_CORETYPE`
/// set. Only `logits` and `verify` use BLAS; a user-set OPENBLAS_CORETYPE is always respected.
private func tuneBLAS() {
    let args = CommandLine.arguments
    guard args.count > 1, ["logits", "verify"].contains(args[1]), getenv("OPENBLAS_CORETYPE") == nil,
        let core = BLASTuning.preferredCoreType()
    else { return }
    setenv("OPENBLAS_CORETYPE", core, 1)
    var cargs = args.map { strdup($0) } + [nil]
    execv("/proc/self/exe", &cargs)
    // execv only returns on failure: carry on with the slower kernels.
}

/// On SIGINT/SIGTERM, delete the temp files of writes in progress before exiting: the destination was never touched.
private func installSignalCleanup() {
    for sig in [SIGINT, SIGTERM] {
        signal(sig, SIG_IGN)
        let src = DispatchSource.makeSignalSource(signal: sig, queue: .global())
        src.setEventHandler {
            TempFileRegistry.shared.removeAll()
            writeStderr("\ningot: interrupted; nothing was written\n")
            _exit(128 + sig)
        }
        src.resume()
        signalSources.append(src)
    }
}

nonisolated(unsafe) private var signalSources: [any DispatchSourceSignal] = []
