import ArgumentParser
import Dispatch
import IngotFormat
import IngotKit
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
            Formats: .ingot, .safetensors, .gguf, Hugging Face directories (read/write); PyTorch .bin/.pt, .npy/.npz (read).
            Exit status: 0 success, 1 the file is bad or the operation failed, 64 usage error.
            """,
        version: IngotVersion.string,
        subcommands: [Inspect.self, Check.self, Convert.self, IndexCommand.self, CalibrateCommand.self, DiffCommand.self, LogitsCommand.self, EmbedCommand.self, TokenizeCommand.self, PromptCommand.self, GenerateCommand.self, VerifyCommand.self])

    /// Errors become one line on stderr: exit 1 for a bad file or a failed operation, 64 for a usage error.
    static func main() {
        tuneBLAS()
        BLASTuning.releaseIdleThreads()
        installSignalCleanup()
        // `ingot help NAME` for a NAME that is no command: ArgumentParser would print the overview and exit 0.
        let args = CommandLine.arguments.dropFirst()
        if args.first == "help", let name = args.dropFirst().first,
            !configuration.subcommands.contains(where: { $0._commandName == name })
        {
            fail("no command \(quoted(name)) (the commands: \(configuration.subcommands.map { $0._commandName }.joined(separator: ", ")))",
                 status: ExitCode.validationFailure.rawValue)
        }
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let e as PipelineError {
            fail(describe(e))
        } catch {
            switch exitCode(for: error) {
            // Usage errors: ArgumentParser's message without the usage screen (`--help` has it).
            case .validationFailure: fail(message(for: error), status: ExitCode.validationFailure.rawValue)
            // The work itself failed (a bad file, a failed write): the error's own line.
            case .failure where !(error is ExitCode): fail("\(error)")
            // Help, --version and explicit exit statuses (verify's verdict) as ArgumentParser handles them.
            default: exit(withError: error)
            }
        }
    }

    static func fail(_ message: String, status: Int32 = 1) -> Never {
        writeStderr("ingot: \(message)\n")
        Glibc.exit(status)
    }

    /// The library's sentence, plus the flag that changes the outcome where there is one.
    static func describe(_ e: PipelineError) -> String {
        if case .outputExists = e { return "\(e) (use --force to overwrite)" }
        return e.description
    }
}

/// Warnings from a pipeline's report, one line each.
func warn(_ w: PipelineWarning) {
    writeStderr("ingot: warning: \(w)\n")
}

/// stderr without touching C's global `FILE *stderr` (not concurrency-safe in Swift 6).
func writeStderr(_ s: String) {
    var s = s
    s.withUTF8 { b in _ = Glibc.write(2, b.baseAddress, b.count) }
}

/// Streamed output (generated text) straight to the descriptor, unbuffered, so each piece shows as it is produced.
func writeStdout(_ s: String) {
    var s = s
    s.withUTF8 { b in
        var p = b.baseAddress, left = b.count
        while left > 0 {
            let n = Glibc.write(1, p, left)
            if n < 0 { if errno == EINTR { continue }; return }
            p = p.map { $0 + n }
            left -= n
        }
    }
}

/// The forward pass runs on OpenBLAS, which picks its kernels when it loads. When it picked generic ones for a CPU
/// that has AVX-512 or AVX2 (Debian's 0.3.21 does not know recent CPUs), re-execute once with `OPENBLAS_CORETYPE`
/// set. Only the commands that run a model use BLAS; a user-set OPENBLAS_CORETYPE is always respected.
private func tuneBLAS() {
    let args = CommandLine.arguments
    guard args.count > 1, ["logits", "verify", "generate", "embed"].contains(args[1]), getenv("OPENBLAS_CORETYPE") == nil,
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
