// sprout chat — interactive chat with a decoder model; see the command-line contract.
//
// The prompt appears at once; the model loads on the first message. Each answer is
// streamed as it is generated. The KV cache is kept across turns, so a turn only
// runs its own new tokens. When a message no longer fits, the conversation keeps its
// most recent turns that fit in half the context (with the system prompt) and runs
// them again, so the answer has the other half. Ctrl-C during an answer stops that
// answer; Ctrl-C at the prompt (or Ctrl-D, or /exit) ends the session. /reset starts
// a new conversation.
// When stdin is not a terminal, each line is one message and no prompt is printed.
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <string>
#include <unistd.h>

#include "app/args.h"
#include "app/chat_format.h"
#include "app/cli_common.h"
#include "app/commands.h"
#include "app/decoder.h"
#include "engine/error.h"

namespace sprout::app {

namespace {

std::atomic<bool> g_generating{false};
std::atomic<bool> g_interrupt{false};

void on_sigint(int) {
  if (g_generating.load()) {
    g_interrupt.store(true);
  } else {
    const char nl = '\n';
    (void)!write(STDOUT_FILENO, &nl, 1);
    _exit(130);
  }
}

void install_sigint() {
  struct sigaction sa {};
  sa.sa_handler = on_sigint;
  sa.sa_flags = SA_RESTART;  // a Ctrl-C during an answer must not break the prompt's read
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
}

}  // namespace

int cmd_chat(int argc, char** argv) {
  ArgParser p("chat", "[--model MODEL] [--system TEXT] [options]",
              "Interactive chat. With no --model, the shipped stories260K model (it continues stories).\n"
              "Commands: /reset (new conversation), /exit. Ctrl-C stops the current answer.");
  p.option("--model", "MODEL", "HF directory, .gguf, llama2.c .bin or registry name", "");
  p.option("--tokenizer", "FILE", "tokenizer for a llama2.c checkpoint");
  p.option("--system", "TEXT", "system prompt (default: the chat template's, if any)");
  p.option("-n", "N", "tokens per answer at most", "512");
  add_sampling_flags(p);
  add_threads_option(p);
  p.option("--ctx", "N", "context size in tokens (default: min(trained context, 2048))", "0");
  add_kv_type_option(p);
  if (!p.parse(argc, argv)) return 0;
  const DType kv = kv_type_option(p);

  const int n = int(p.get_int("-n", 1, 1 << 24));
  const SamplerParams sp = sampling_from_flags(p);
  apply_threads_option(p);
  const int ctx_req = int(p.get_int("--ctx", 0, 1 << 24));
  const std::string model = p.get("--model").empty() ? "stories260K" : p.get("--model");
  const bool tty = isatty(STDIN_FILENO);

  Decoder d;
  std::unique_ptr<llama::State> st;
  std::unique_ptr<Sampler> sampler;
  ChatFormat fmt;
  std::string system;
  std::vector<int32_t> history;  // every token of the conversation, as fed (or about to be)
  struct Turn {
    std::string user;
    std::vector<int32_t> answer;
  };
  std::vector<Turn> turns;  // the conversation, to rebuild history when the context fills

  auto ensure_loaded = [&] {
    if (d.model) return;
    std::fprintf(stderr, "loading %s ... ", model.c_str());
    std::fflush(stderr);
    d = load_decoder(model, p.get("--tokenizer"), TokenizerUse::required);
    st = std::make_unique<llama::State>(*d.model, context_size(*d.model, ctx_req), kv);
    sampler = std::make_unique<Sampler>(sp);
    fmt = detect_chat_format(d.tok->chat_template);
    system = p.has("--system") ? p.get("--system") : fmt.default_system;
    std::fprintf(stderr, "%.0f ms (%s, %d layers, context %d, KV cache %s %.1f MB)\n", d.load_ms,
                 d.model->format().c_str(), d.model->config().layers, st->capacity(), dtype_name(kv),
                 double(st->kv_bytes()) / 1048576.0);
  };

  install_sigint();
  if (tty) std::fprintf(stderr, "sprout chat: type a message; /reset, /exit, Ctrl-C stops an answer\n");
  std::string line;
  while (true) {
    if (tty) {
      std::fputs("> ", stdout);
      std::fflush(stdout);
    }
    if (!std::getline(std::cin, line)) break;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line == "/exit" || line == "/quit") break;
    if (line == "/reset") {
      if (st) st->reset();
      history.clear();
      turns.clear();
      if (tty) std::fprintf(stderr, "(new conversation)\n");
      continue;
    }
    if (line.empty()) continue;
    ensure_loaded();

    // Tokens of a user message; the first of a conversation carries the system prompt (or BOS).
    auto encode_turn = [&](const std::string& text, bool first) {
      return fmt.chatml ? d.tok->encode(chatml_user_turn(system, first, text), /*add_special=*/false)
                        : d.tok->encode(text, /*add_special=*/first);
    };
    // The conversation from turn k on, then this message, as a fresh context would hold it.
    auto rebuild = [&](size_t k) {
      std::vector<int32_t> h;
      for (size_t i = k; i < turns.size(); ++i) {
        const auto t = encode_turn(turns[i].user, i == k);
        h.insert(h.end(), t.begin(), t.end());
        h.insert(h.end(), turns[i].answer.begin(), turns[i].answer.end());
      }
      const auto t = encode_turn(line, k == turns.size());
      h.insert(h.end(), t.begin(), t.end());
      return h;
    };

    const std::vector<int32_t> turn = encode_turn(line, turns.empty());
    const size_t pending = history.size() - size_t(st->pos());  // last answer token, not yet fed
    if (pending + turn.size() + 1 > size_t(st->capacity() - st->pos())) {
      // Keep the most recent turns that fit in half the context; failing that, this message alone.
      size_t k = 0;
      std::vector<int32_t> h = rebuild(0);
      while (k < turns.size() && h.size() > size_t(st->capacity()) / 2) h = rebuild(++k);
      if (h.size() + 1 > size_t(st->capacity())) {
        std::fprintf(stderr, "sprout: error: message: %zu tokens do not fit the context of %d\n", h.size(),
                     st->capacity());
        continue;
      }
      turns.erase(turns.begin(), turns.begin() + long(k));
      st->reset();
      history = std::move(h);
      std::fprintf(stderr, "(context full: kept the last %zu of %zu turns)\n", turns.size(), turns.size() + k);
    } else {
      history.insert(history.end(), turn.begin(), turn.end());
    }

    Utf8Stream utf8;
    g_interrupt.store(false);
    g_generating.store(true);
    const int room = st->capacity() - int(history.size());
    std::vector<int32_t> answer;
    try {
      answer = generate(d, *st, *sampler, history, std::min(n, std::max(room, 1)), [&](int32_t id) {
        std::fputs(utf8.push(d.tok->piece_bytes(id)).c_str(), stdout);
        std::fflush(stdout);
        return true;
      }, &g_interrupt);
    } catch (...) {
      g_generating.store(false);
      throw;
    }
    g_generating.store(false);
    turns.push_back({line, std::move(answer)});
    std::fputs(utf8.flush().c_str(), stdout);
    std::fputs("\n", stdout);
    if (g_interrupt.load() && tty) std::fprintf(stderr, "(stopped)\n");
    std::fflush(stdout);
  }
  return 0;
}

}  // namespace sprout::app
