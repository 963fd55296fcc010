// Chat templates from real tokenizer_config.json files -> ChatML turns.
#include <gtest/gtest.h>

#include "app/chat_format.h"
#include "loaders/json_util.h"
#include "tests/test_util.h"

namespace sprout::app {
namespace {

std::string template_of(const std::string& file) {
  const Json j = load_json(sprout::test::repo_path("tests/data/llama/" + file));
  return j["chat_template"].get<std::string>();
}

TEST(ChatFormat, Qwen15IsChatMLWithDefaultSystem) {
  const ChatFormat f = detect_chat_format(template_of("tokenizer_config.qwen1.5.json"));
  EXPECT_TRUE(f.chatml);
  EXPECT_EQ(f.default_system, "You are a helpful assistant");
}

TEST(ChatFormat, Qwen3IsChatMLWithoutDefaultSystem) {
  const ChatFormat f = detect_chat_format(template_of("tokenizer_config.qwen3.json"));
  EXPECT_TRUE(f.chatml);
  EXPECT_EQ(f.default_system, "");
}

TEST(ChatFormat, NoTemplateIsPlainContinuation) {
  EXPECT_FALSE(detect_chat_format("").chatml);
  EXPECT_FALSE(detect_chat_format("{{ bos_token }}{% for m in messages %}[INST] {{ m['content'] }} [/INST]{% endfor %}").chatml);
}

TEST(ChatFormat, TurnsMatchWhatTheQwenTemplateRenders) {
  // HF apply_chat_template(add_generation_prompt=True) of
  // [system "S", user "hi"] and, after the answer "A", of [..., assistant "A", user "again"]:
  EXPECT_EQ(chatml_user_turn("S", true, "hi"),
            "<|im_start|>system\nS<|im_end|>\n<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n");
  // The second turn continues after "A" (already in the cache): it closes the answer first.
  EXPECT_EQ(chatml_user_turn("S", false, "again"),
            "<|im_end|>\n<|im_start|>user\nagain<|im_end|>\n<|im_start|>assistant\n");
  EXPECT_EQ(chatml_user_turn("", true, "hi"), "<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n");
}

}  // namespace
}  // namespace sprout::app
