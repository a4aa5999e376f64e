// ParallelIndexWriter: normalizes contacts on worker threads and writes them
// to a ContactIndex on one writer thread, in the order they were added.
//
// Normalization (libphonenumber) and the SQLite writes are the two costs of
// an import. Here they run at the same time as each other and as the
// caller's reading and parsing. The order is kept because the index's last
// write wins: a uid listed twice in a file must end with its later row.
#ifndef PODIUM_DEDUP_PARALLEL_WRITER_H_
#define PODIUM_DEDUP_PARALLEL_WRITER_H_

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "podium_dedup/config.h"
#include "podium_dedup/contact.h"
#include "podium_dedup/index.h"
#include "podium_dedup/phone.h"
#include "podium_dedup/result.h"

namespace podium_dedup {

struct ParallelWriterOptions {
  // Normalizing threads; 0 means one per core.
  int threads = 0;
  // Contacts handed to a thread at a time.
  size_t batch_size = 256;
  // Called on the writer thread after each contact is written, with the
  // number written so far.
  std::function<void(int64_t written)> on_written;
};

class ParallelIndexWriter {
 public:
  // `index`, `settings` and `normalizer` must outlive the writer, and the
  // caller must not use `index` until Finish() returns.
  ParallelIndexWriter(ContactIndex& index, const Settings& settings, const PhoneNormalizer& normalizer,
                      EmailKeyFunction email_key, std::string source, ParallelWriterOptions options = {});
  // Joins the threads; contacts not yet written by then are dropped and the
  // index rolls back its open batch (see ~ContactIndex).
  ~ParallelIndexWriter();
  ParallelIndexWriter(const ParallelIndexWriter&) = delete;
  ParallelIndexWriter& operator=(const ParallelIndexWriter&) = delete;

  // Queues a contact. Blocks while too many batches are in flight, so memory
  // stays bounded. After a failed write the contact is dropped.
  void Add(Contact contact);

  // Writes everything queued, flushes the index and returns the first error.
  Status Finish();

  // Contacts written so far (complete after Finish()).
  int64_t written() const;

 private:
  struct Batch {
    int64_t sequence = 0;
    std::vector<Contact> contacts;
  };

  void Submit();
  void NormalizeLoop();
  void WriteLoop();
  // Ends the threads once the queued batches are written, or dropped when
  // `discard` is true.
  void Stop(bool discard);

  ContactIndex& index_;
  const Settings& settings_;
  const PhoneNormalizer& normalizer_;
  EmailKeyFunction email_key_;
  std::string source_;
  ParallelWriterOptions options_;
  size_t max_in_flight_ = 0;

  std::vector<Contact> filling_;  // the caller's batch being filled

  mutable std::mutex mutex_;
  std::condition_variable work_ready_;     // normalizers wait for batches
  std::condition_variable written_ready_;  // the writer waits for results
  std::condition_variable space_ready_;    // Add waits for room
  std::deque<Batch> to_normalize_;
  std::map<int64_t, std::vector<IndexEntry>> normalized_;
  int64_t next_sequence_ = 0;  // given to the next submitted batch
  int64_t next_to_write_ = 0;
  int64_t written_ = 0;
  bool closing_ = false;
  bool stopped_ = false;
  bool discarding_ = false;
  Status status_;

  std::vector<std::thread> normalizers_;
  std::thread writer_;
};

}  // namespace podium_dedup

#endif  // PODIUM_DEDUP_PARALLEL_WRITER_H_
