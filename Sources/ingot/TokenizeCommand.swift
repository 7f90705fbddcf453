import ArgumentParser
import IngotFormat
import IngotKit

struct TokenizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokenize", abstract: "Token ids of a text with the model's own tokenizer (or decode ids back to text).",
        discussion: "MODEL is any model source carrying a tokenizer, or a tokenizer.json. TEXT, --file or standard input.")

    @Argument(help: "A model (Hugging Face directory, .ingot, .gguf, …) or a tokenizer.json.") var model: String
    @Argument(help: "The text (else --file, else standard input).") var text: String?
    @Option(help: "Read the text from this UTF-8 file.") var file: String?
    @Flag(help: "Encode every line on its own (one result per line; with --json one object per line).") var lines = false
    @Flag(help: "Leave out the special tokens the post-processor adds (BOS, [CLS] … [SEP]).") var noSpecial = false
    @Option(help: "Decode these ids (comma separated) instead of encoding.", transform: TokenSequences.parse) var decode: [Int]?
    @OptionGroup var show: OutputOptions

    func validate() throws {
        if text != nil, file != nil { throw ValidationError("give the text as an argument or with --file, not both") }
        if decode != nil, text != nil || file != nil || lines { throw ValidationError("--decode takes ids, not a text") }
    }

    func run() throws {
        let m = try ModelText.load(path: model)
        if let ids = decode {
            let s = try m.decode(ids, skipSpecialTokens: noSpecial)
            print(show.json ? JSONValue.string(s).description : s)
            return
        }
        let input = try text ?? TextInput.read(file)
        let pieces = lines ? input.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) : [input]
        for piece in pieces {
            let r = m.tokenize(piece, addSpecialTokens: !noSpecial)
            print(show.json ? r.json.description : r.encoding.ids.map(String.init).joined(separator: " "))
        }
    }
}

struct PromptCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prompt", abstract: "Render a conversation with the model's chat template, as transformers' apply_chat_template does.")

    @Argument(help: "A model carrying a tokenizer (and usually a chat template).") var model: String
    @Option(help: "A JSON file: an array of messages ({role, content}), or an object with \"messages\" (and \"tools\").")
    var messages: String
    @Flag(help: "Leave out the generation prompt (the assistant turn's opening).") var noGenerationPrompt = false
    @Option(help: "Use this Jinja template file instead of the model's own.") var template: String?
    @Flag(help: "Print the prompt's token ids instead of its text.") var ids = false
    @OptionGroup var show: OutputOptions

    func run() throws {
        let m = try ModelText.load(path: model)
        let (conversation, tools) = try TextInput.conversation(messages)
        let source = try template.map { try TextInput.read($0) }
        let r = try m.prompt(messages: conversation, addGenerationPrompt: !noGenerationPrompt, template: source, tools: tools)
        if show.json { return print(r.json.description) }
        if ids { return print(r.encoding.ids.map(String.init).joined(separator: " ")) }
        print(r.text, terminator: r.text.hasSuffix("\n") ? "" : "\n")
    }
}
