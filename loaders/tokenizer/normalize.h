// Unicode normalization through libutf8proc (the tables come from the library, not from us).
#pragma once
#include <string>
#include <string_view>

namespace sprout::tok {

std::string nfc(std::string_view s);  // input must be well-formed UTF-8
std::string nfd(std::string_view s);
std::string nfkc(std::string_view s);

}  // namespace sprout::tok
