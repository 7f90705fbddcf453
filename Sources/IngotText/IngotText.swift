/// IngotText: tokenizers (byte-level BPE, SentencePiece-style BPE, WordPiece — from tokenizer.json or GGUF
/// vocabularies) and chat templates (a Jinja2 subset), identical to Hugging Face's. No dependency on the model code.
public enum IngotText {}
