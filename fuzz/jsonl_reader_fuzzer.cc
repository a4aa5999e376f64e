// Fuzz target: the JSON Lines contact reader on a file holding the fuzz
// input, and the line-level parser ContactFromJsonText on the whole input,
// whose contact must survive a round trip through ContactToJson.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "fuzz_file.h"
#include "podium_dedup/contact_json.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  podium_dedup::ReadOptions options;
  options.format = podium_dedup::InputFormat::kJsonLines;
  podium_dedup::fuzz::ReadAndCheck(podium_dedup::fuzz::WriteFuzzFile(data, size, ".jsonl"), options);

  const std::string_view text(reinterpret_cast<const char*>(data), size);
  podium_dedup::Result<podium_dedup::Contact> contact = podium_dedup::ContactFromJsonText(text);
  if (!contact.ok()) return 0;
  // What the reader accepted, the writer writes and the reader reads back with the same uid.
  const std::string written = podium_dedup::ContactToJson(contact.value()).dump(
      -1, ' ', false, nlohmann::json::error_handler_t::replace);
  podium_dedup::Result<podium_dedup::Contact> again = podium_dedup::ContactFromJsonText(written);
  if (!again.ok()) std::abort();
  return 0;
}
