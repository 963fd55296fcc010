// The sprout subcommands (../docs/cli.md and the command-line contract).
// Each takes the arguments after its name and returns the process exit code;
// errors are thrown as sprout::Error / UsageError and reported by main().
#pragma once

namespace sprout::app {

int cmd_chat(int argc, char** argv);
int cmd_generate(int argc, char** argv);
int cmd_tokenize(int argc, char** argv);
int cmd_inspect(int argc, char** argv);
int cmd_quantize(int argc, char** argv);
int cmd_perplexity(int argc, char** argv);
int cmd_bench(int argc, char** argv);
int cmd_embed(int argc, char** argv);
int cmd_similar(int argc, char** argv);
int cmd_translate(int argc, char** argv);
int cmd_maintain(int argc, char** argv);
int cmd_langid(int argc, char** argv);
int cmd_intent(int argc, char** argv);
int cmd_advise(int argc, char** argv);

struct Command {
  const char* name;
  int (*run)(int, char**);
  const char* summary;
};

// All subcommands in the order `sprout --help` lists them.
const Command* commands(int* count);

}  // namespace sprout::app
