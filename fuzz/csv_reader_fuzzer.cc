// Fuzz target: the CSV contact reader (tokenizer, delimiter and encoding
// detection, column mapping) on a file holding the fuzz input.
#include <cstddef>
#include <cstdint>

#include "fuzz_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  podium_dedup::ReadOptions options;
  options.format = podium_dedup::InputFormat::kCsv;
  options.default_location = "loc-1";
  podium_dedup::fuzz::ReadAndCheck(podium_dedup::fuzz::WriteFuzzFile(data, size, ".csv"), options);
  return 0;
}
