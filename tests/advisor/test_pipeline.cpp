// The app's lazy model cache and the advisory pipeline: nothing loads before
// first use, the memory budget evicts least-recently-used models (checked via
// the cache's counters), and the pipeline's stages agree with the models run
// on their own and with the M2M100 text golden (tests/data/m2m100/golden/text.json).
#include <gtest/gtest.h>

#include <algorithm>
#include <stdexcept>

#include "app/pipeline.h"
#include "engine/error.h"
#include "loaders/json_util.h"
#include "models/fasttext/fasttext.h"
#include "tests/advisor/advisor_util.h"

namespace sprout {
namespace {

using app::ModelCache;

// A loader that counts its calls and hands out `bytes`-sized dummies.
std::function<ModelCache::Loaded()> fake(int* calls, uint64_t bytes) {
  return [calls, bytes]() -> ModelCache::Loaded {
    ++*calls;
    return {std::make_shared<int>(int(bytes)), bytes};
  };
}

TEST(ModelCache, LoadsOnFirstUseOnly) {
  ModelCache c;
  int a = 0, b = 0;
  c.add("a", fake(&a, 10));
  c.add("b", fake(&b, 20));
  EXPECT_EQ(a + b, 0);
  EXPECT_FALSE(c.is_loaded("a"));
  EXPECT_EQ(c.resident_bytes(), 0u);
  EXPECT_EQ(*c.get<int>("a"), 10);
  EXPECT_EQ(*c.get<int>("a"), 10);
  EXPECT_EQ(a, 1);
  EXPECT_EQ(b, 0);
  EXPECT_EQ(c.resident_bytes(), 10u);
  c.get<int>("b");
  EXPECT_EQ(c.resident_bytes(), 30u);
  EXPECT_EQ(c.evictions(), 0);  // no budget
  EXPECT_THROW(c.get<int>("nope"), Error);
}

TEST(ModelCache, BudgetEvictsLeastRecentlyUsed) {
  ModelCache c(100);
  int a = 0, b = 0, d = 0;
  c.add("a", fake(&a, 40));
  c.add("b", fake(&b, 40));
  c.add("d", fake(&d, 40));
  c.get<int>("a");
  c.get<int>("b");
  c.get<int>("a");  // b is now least recently used
  c.get<int>("d");  // 120 > 100: evict b
  EXPECT_TRUE(c.is_loaded("a"));
  EXPECT_FALSE(c.is_loaded("b"));
  EXPECT_TRUE(c.is_loaded("d"));
  EXPECT_EQ(c.evictions(), 1);
  EXPECT_EQ(c.resident_bytes(), 80u);
  EXPECT_EQ(c.peak_resident_bytes(), 120u);
  EXPECT_EQ(c.loaded_names(), (std::vector<std::string>{"d", "a"}));
  c.get<int>("b");  // reload, evicting a
  EXPECT_EQ(b, 2);
  EXPECT_EQ(c.loads("b"), 2);
  EXPECT_FALSE(c.is_loaded("a"));
  EXPECT_LE(c.resident_bytes(), 100u);
}

TEST(ModelCache, OversizedModelStaysAloneAndFailedLoadChangesNothing) {
  ModelCache c(50);
  int a = 0, big = 0;
  c.add("a", fake(&a, 10));
  c.add("big", fake(&big, 500));
  c.add("broken", []() -> ModelCache::Loaded { throw Error("broken.bin", "bad file"); });
  c.get<int>("a");
  auto held = c.get<int>("big");  // evicts a, keeps itself
  EXPECT_TRUE(c.is_loaded("big"));
  EXPECT_FALSE(c.is_loaded("a"));
  EXPECT_EQ(c.resident_bytes(), 500u);
  EXPECT_THROW(c.get<int>("broken"), Error);
  EXPECT_FALSE(c.is_loaded("broken"));
  EXPECT_EQ(c.resident_bytes(), 500u);
  c.get<int>("a");  // evicts big; the pointer held stays valid
  EXPECT_FALSE(c.is_loaded("big"));
  EXPECT_EQ(*held, 500);
}

app::AdvisorOptions fasttext_only() {
  app::AdvisorOptions o;
  o.langid = test::lid_model();
  o.intent = test::intent_model();
  return o;
}

std::string top_label(const std::string& model, const std::string& text) {
  return fasttext::Classifier(model).predict(text, 1).at(0).label.substr(9);
}

TEST(Advisor, LazyAndAgreesWithTheClassifiers) {
  ModelCache c;
  app::Advisor adv(c, fasttext_only());
  EXPECT_FALSE(c.is_loaded("langid"));
  EXPECT_FALSE(c.is_loaded("intent"));
  EXPECT_EQ(c.resident_bytes(), 0u);
  const auto qs = test::read_lines(test::fixture("lid_test_sentences.txt"));
  for (size_t i = 0; i < 4; ++i) {
    const app::Advice a = adv.ask(qs[i]);
    EXPECT_EQ(a.lang, top_label(test::lid_model(), qs[i]));
    EXPECT_EQ(a.intent, top_label(test::intent_model(), qs[i]));  // no translator: intent of the question itself
    EXPECT_EQ(a.english, qs[i]);
    EXPECT_FALSE(a.translated);
    EXPECT_EQ(a.answer, a.intent);
    EXPECT_EQ(a.answer_line, 0);
  }
  EXPECT_EQ(c.loads("langid"), 1);
  EXPECT_EQ(c.loads("intent"), 1);
  EXPECT_EQ(c.resident_bytes(), fasttext::Classifier(test::lid_model()).resident_bytes() +
                                    fasttext::Classifier(test::intent_model()).resident_bytes());
}

TEST(Advisor, MemoryBudgetForcesUnloads) {
  // A budget that holds either model but not both: every question loads both in turn.
  const uint64_t lid = fasttext::Classifier(test::lid_model()).resident_bytes();
  const uint64_t intent = fasttext::Classifier(test::intent_model()).resident_bytes();
  ModelCache c(std::max(lid, intent));
  ASSERT_GT(lid + intent, c.budget_bytes());
  app::Advisor adv(c, fasttext_only());
  adv.ask("what is the weather like today");
  EXPECT_FALSE(c.is_loaded("langid"));
  EXPECT_TRUE(c.is_loaded("intent"));
  EXPECT_EQ(c.evictions(), 1);
  adv.ask("set an alarm for six");
  EXPECT_EQ(c.loads("langid"), 2);
  EXPECT_EQ(c.loads("intent"), 2);
  EXPECT_EQ(c.evictions(), 3);
  EXPECT_LE(c.resident_bytes(), c.budget_bytes());
}

TEST(Advisor, MissingFilesAreOneLineErrors) {
  ModelCache c;
  auto o = fasttext_only();
  o.intent = "/nonexistent/intent.ftz";
  try {
    app::Advisor adv(c, o);
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_EQ(e.subject(), o.intent);
  }
  o = fasttext_only();
  o.embedder = test::repo_path("tests/data/bert/tiny-wp");
  EXPECT_THROW(app::Advisor(c, o), UsageError);  // --knowledge missing
}

TEST(Advisor, TranslatesRetrievesAndTranslatesBack) {
  // Yoruba question -> tiny M2M100 to English -> intent -> the one knowledge
  // line -> back to Yoruba; the back-translation must equal the Hugging Face
  // golden for that English sentence (tests/data/m2m100/golden/text.json).
  const Json g = Json::parse(test::read_all(test::repo_path("tests/data/m2m100/golden/text.json")));
  const Json* ex = nullptr;
  for (const Json& e : g["examples"])
    if (e["src_lang"] == "eng_Latn" && e["tgt_lang"] == "yor_Latn") ex = &e;
  ASSERT_NE(ex, nullptr);
  test::Scratch s;
  test::write_all(s.file("kb.txt"), "\n" + (*ex)["text"].get<std::string>() + "\n");
  ModelCache c;
  auto o = fasttext_only();
  o.translator = test::repo_path("tests/data/m2m100/tiny-f32");
  o.embedder = test::repo_path("tests/data/bert/tiny-wp");
  o.knowledge = s.file("kb.txt");
  app::Advisor adv(c, o);
  EXPECT_FALSE(c.is_loaded("translator"));
  EXPECT_FALSE(c.is_loaded("embedder"));
  const std::string yo = test::read_lines(test::fixture("lid_test_sentences.txt")).at(19);
  const app::Advice a = adv.ask(yo);
  EXPECT_EQ(a.lang, "yo");
  EXPECT_TRUE(a.translated);
  EXPECT_EQ(a.intent, top_label(test::intent_model(), a.english));
  EXPECT_EQ(a.answer_en, (*ex)["text"].get<std::string>());
  EXPECT_EQ(a.answer_line, 2);
  EXPECT_EQ(a.answer, (*ex)["translation"].get<std::string>());
  EXPECT_TRUE(c.is_loaded("translator"));
  EXPECT_TRUE(c.is_loaded("embedder"));
  // English questions skip translation entirely.
  const app::Advice en = adv.ask("what is the weather like today");
  EXPECT_EQ(en.lang, "en");
  EXPECT_FALSE(en.translated);
  EXPECT_EQ(en.english, "what is the weather like today");
  EXPECT_EQ(en.answer, en.answer_en);
  EXPECT_EQ(c.loads("translator"), 1);
}

}  // namespace
}  // namespace sprout
