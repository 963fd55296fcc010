"""Reference tokenizers for the tiny BERT fixtures (transformers is not available here).

WordPiece follows transformers' BertTokenizer (BasicTokenizer: clean text, split CJK,
lowercase + strip accents, split on punctuation; then greedy longest-match WordPiece with
"##" continuations, [UNK] for words that cannot be covered or exceed 100 characters).
XlmrSentencePiece follows XLMRobertaTokenizer: SentencePiece pieces, fairseq offset 1,
<s>=0 <pad>=1 </s>=2 <unk>=3, sequence = <s> pieces </s>.
"""
import io
import unicodedata

import sentencepiece as spm


def _is_whitespace(c):
    return c in " \t\n\r" or unicodedata.category(c) == "Zs"


def _is_control(c):
    if c in "\t\n\r":
        return False
    return unicodedata.category(c).startswith("C")


def _is_punctuation(c):
    cp = ord(c)
    if 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126:
        return True
    return unicodedata.category(c).startswith("P")


def _is_cjk(cp):
    return (0x4E00 <= cp <= 0x9FFF or 0x3400 <= cp <= 0x4DBF or 0x20000 <= cp <= 0x2A6DF
            or 0x2A700 <= cp <= 0x2B73F or 0x2B740 <= cp <= 0x2B81F or 0x2B820 <= cp <= 0x2CEAF
            or 0xF900 <= cp <= 0xFAFF or 0x2F800 <= cp <= 0x2FA1F)


class WordPiece:
    def __init__(self, vocab, do_lower_case=True):
        self.vocab = {t: i for i, t in enumerate(vocab)}
        self.lower = do_lower_case

    def basic(self, text):
        out = []
        for c in text:
            cp = ord(c)
            if cp == 0 or cp == 0xFFFD or _is_control(c):
                continue
            if _is_whitespace(c):
                out.append(" ")
            elif _is_cjk(cp):
                out.append(" " + c + " ")
            else:
                out.append(c)
        words = []
        for w in "".join(out).split():
            if self.lower:
                w = unicodedata.normalize("NFD", w.lower())
                w = "".join(c for c in w if unicodedata.category(c) != "Mn")
            cur = ""
            for c in w:
                if _is_punctuation(c):
                    if cur:
                        words.append(cur)
                    words.append(c)
                    cur = ""
                else:
                    cur += c
            if cur:
                words.append(cur)
        return words

    def wordpiece(self, word):
        if len(word) > 100:
            return [self.vocab["[UNK]"]]
        ids, start = [], 0
        while start < len(word):
            end, found = len(word), None
            while start < end:
                piece = word[start:end] if start == 0 else "##" + word[start:end]
                if piece in self.vocab:
                    found = self.vocab[piece]
                    break
                end -= 1
            if found is None:
                return [self.vocab["[UNK]"]]
            ids.append(found)
            start = end
        return ids

    def encode(self, text):
        ids = [self.vocab["[CLS]"]]
        for w in self.basic(text):
            ids += self.wordpiece(w)
        return ids + [self.vocab["[SEP]"]]


class XlmrSentencePiece:
    def __init__(self, model_path):
        self.sp = spm.SentencePieceProcessor(model_file=model_path)

    def vocab_size(self):  # fairseq vocabulary: len(sp) + offset 1 + <mask>
        return len(self.sp) + 2

    def encode(self, text):
        ids = [i + 1 if i != 0 else 3 for i in self.sp.encode(text)]  # spm unk (0) -> <unk> 3
        return [0] + ids + [2]


# A small multilingual corpus written for these fixtures. "¿" never occurs in it, so the
# trained model maps it to <unk>.
CORPUS = """How do I store maize after harvest?
Dry the grain well and keep it in a cool, clean store.
When should I plant maize after the first rains?
Plant when the soil is moist and warm, usually a week after the rains begin.
What is the price of beans at the market today?
The quick brown fox jumps over the lazy dog.
Farmers in the valley grow cassava, yams, beans and maize.
Comment conserver le maïs après la récolte ?
Séchez bien le grain et gardez-le dans un endroit frais et propre.
Quand faut-il planter le maïs après les premières pluies ?
Le prix des haricots a augmenté au marché cette semaine.
Cuándo debo sembrar frijoles después de las lluvias?
Los agricultores cultivan maíz, frijoles y yuca en el valle.
El precio del maíz subió en el mercado esta semana.
Wann soll ich Mais pflanzen, nach dem ersten Regen?
Der Boden muss warm und feucht sein, bevor man sät.
Die Bauern verkaufen Bohnen und Mais auf dem Markt.
Ọjọ́ wo ni mo yẹ kí n gbin àgbàdo?
Àgbẹ̀ máa ń gbin iṣu, ẹ̀wà àti àgbàdo ní àfonífojì.
Yaushe zan shuka masara bayan ruwan sama na farko?
Lini nipande mahindi baada ya mvua za kwanza?
Wakulima hulima mahindi, maharagwe na mihogo bondeni.
ok, yes, no, maybe, thanks, hello, goodbye.
0 1 2 3 4 5 6 7 8 9 10 12 % - : ; , . ! ?
"""


def train_tiny_spm(path, vocab_size):
    """Train a BPE SentencePiece model with XLM-R's conventions (unk 0, bos 1, eos 2, no pad,
    nmt_nfkc normalisation, dummy prefix) on CORPUS and write it to `path`."""
    model = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(CORPUS.strip().split("\n") * 4), model_writer=model, model_type="bpe",
        vocab_size=vocab_size, character_coverage=1.0, unk_id=0, bos_id=1, eos_id=2, pad_id=-1,
        normalization_rule_name="nmt_nfkc", add_dummy_prefix=True, num_threads=1, minloglevel=2)
    with open(path, "wb") as f:
        f.write(model.getvalue())
