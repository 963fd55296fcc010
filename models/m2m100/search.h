// Decoding for M2M100 / NLLB with Hugging Face generate() semantics:
//
//  * the decoder starts with decoder_start_token_id (</s>); step 1 is forced to
//    the target-language token (ForcedBOSTokenLogitsProcessor),
//  * greedy: argmax of the logits (after the no-repeat-n-gram ban), until </s>
//    or max_length tokens (start token included),
//  * beam search (BeamSearchScorer): each step the top 2N of log_softmax +
//    beam score over all N beams; </s> among the first N closes a hypothesis
//    scored sum_logprobs / len(hyp)^length_penalty (len without the </s>);
//    a sentence is done when N hypotheses are closed and (early_stopping or no
//    open beam can beat the worst of them); at max_length the open beams are
//    closed too. The best hypothesis gets </s> appended when shorter than
//    max_length.
//
// With a Shortlist (shortlist.h) the logits cover only the shortlisted ids and
// log_softmax normalizes over them: the search above runs unchanged in the
// shortlist's index space (ascending ids, so ties still go to the lower id).
//
// Sentences are decoded in batches: every step runs all live hypotheses of up
// to `max_batch` hypotheses through the decoder together, so each weight matrix
// is read once per step for the whole batch. Results do not depend on batching.
#pragma once
#include <cstdint>
#include <vector>

#include "models/m2m100/model.h"
#include "models/m2m100/shortlist.h"

namespace sprout::m2m100 {

struct SearchOptions {
  int beam = 1;                 // 1 = greedy
  int max_length = 200;         // decoder tokens incl. the start token
  float length_penalty = 1.0f;
  bool early_stopping = false;
  int no_repeat_ngram = 0;      // 0 = off
  int min_length = 0;           // </s> banned while the sequence is shorter (HF MinLength)
  int32_t forced_bos = -1;      // token forced at step 1 (target language); -1 = none
  int max_batch = 32;           // hypotheses decoded together
  const Shortlist* shortlist = nullptr;  // restrict the output vocabulary (must hold </s> and forced_bos)
};

struct Translation {
  std::vector<int32_t> ids;     // decoder start, language token, ..., </s> (when it fits)
  double score = 0;             // beam: HF sequence score; greedy: sum of token log-probs
};

// Translates every source (ids: language token, pieces, </s>; pads allowed).
std::vector<Translation> translate(const Model& m, const std::vector<std::vector<int32_t>>& sources,
                                   const SearchOptions& opt);

// Tokens that NoRepeatNGramLogitsProcessor bans after `prefix` (exposed for tests).
std::vector<int32_t> banned_ngram_tokens(const std::vector<int32_t>& prefix, int n);

}  // namespace sprout::m2m100
