#include "podium_dedup/parallel_writer.h"

#include <algorithm>
#include <utility>

namespace podium_dedup {

ParallelIndexWriter::ParallelIndexWriter(ContactIndex& index, const Settings& settings,
                                         const PhoneNormalizer& normalizer, EmailKeyFunction email_key,
                                         std::string source, ParallelWriterOptions options)
    : index_(index),
      settings_(settings),
      normalizer_(normalizer),
      email_key_(std::move(email_key)),
      source_(std::move(source)),
      options_(std::move(options)) {
  int threads = options_.threads;
  if (threads <= 0) threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  options_.batch_size = std::max<size_t>(1, options_.batch_size);
  // Enough batches to keep every thread busy while the writer catches up,
  // and few enough that memory stays a few thousand contacts.
  max_in_flight_ = static_cast<size_t>(threads) * 4;
  filling_.reserve(options_.batch_size);
  for (int i = 0; i < threads; ++i) normalizers_.emplace_back([this] { NormalizeLoop(); });
  writer_ = std::thread([this] { WriteLoop(); });
}

ParallelIndexWriter::~ParallelIndexWriter() { Stop(/*discard=*/true); }

void ParallelIndexWriter::Add(Contact contact) {
  filling_.push_back(std::move(contact));
  if (filling_.size() >= options_.batch_size) Submit();
}

void ParallelIndexWriter::Submit() {
  if (filling_.empty()) return;
  std::unique_lock<std::mutex> lock(mutex_);
  space_ready_.wait(lock, [this] {
    return !status_.ok() || static_cast<size_t>(next_sequence_ - next_to_write_) < max_in_flight_;
  });
  if (!status_.ok()) {
    filling_.clear();  // a write failed: nothing more is written
    return;
  }
  to_normalize_.push_back(Batch{next_sequence_++, std::move(filling_)});
  filling_ = {};
  filling_.reserve(options_.batch_size);
  work_ready_.notify_one();
}

void ParallelIndexWriter::NormalizeLoop() {
  while (true) {
    Batch batch;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      work_ready_.wait(lock, [this] { return !to_normalize_.empty() || closing_; });
      if (to_normalize_.empty()) return;
      batch = std::move(to_normalize_.front());
      to_normalize_.pop_front();
    }
    std::vector<IndexEntry> entries;
    entries.reserve(batch.contacts.size());
    for (Contact& contact : batch.contacts) {
      IndexEntry entry = BuildIndexEntry(std::move(contact), settings_, normalizer_, email_key_, source_);
      entry.columns = ComputeIndexColumns(entry.contact);
      entries.push_back(std::move(entry));
    }
    std::lock_guard<std::mutex> lock(mutex_);
    normalized_.emplace(batch.sequence, std::move(entries));
    written_ready_.notify_one();
  }
}

void ParallelIndexWriter::WriteLoop() {
  while (true) {
    std::vector<IndexEntry> entries;
    int64_t written_before = 0;
    bool skip = false;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      written_ready_.wait(lock, [this] {
        return normalized_.contains(next_to_write_) || (closing_ && next_to_write_ == next_sequence_);
      });
      auto found = normalized_.find(next_to_write_);
      if (found == normalized_.end()) return;  // closing, and everything is written
      entries = std::move(found->second);
      normalized_.erase(found);
      written_before = written_;
      // After a failed write nothing more is written; the destructor drops
      // what is left rather than write contacts that will be rolled back.
      skip = !status_.ok() || discarding_;
    }
    Status failed;
    int64_t count = 0;
    for (size_t i = 0; !skip && i < entries.size(); ++i) {
      if (Status s = index_.Upsert(entries[i]); !s.ok()) {
        failed = s;
        break;
      }
      ++count;
      if (options_.on_written) options_.on_written(written_before + count);
    }
    std::lock_guard<std::mutex> lock(mutex_);
    written_ += count;
    ++next_to_write_;
    if (!failed.ok() && status_.ok()) status_ = failed;
    space_ready_.notify_all();
  }
}

Status ParallelIndexWriter::Finish() {
  Submit();
  Stop(/*discard=*/false);
  std::lock_guard<std::mutex> lock(mutex_);
  if (!status_.ok()) return status_;
  return index_.Flush();
}

void ParallelIndexWriter::Stop(bool discard) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (stopped_) return;
    stopped_ = true;
    closing_ = true;
    discarding_ = discard;
  }
  work_ready_.notify_all();
  written_ready_.notify_all();
  for (std::thread& thread : normalizers_) thread.join();
  writer_.join();
}

int64_t ParallelIndexWriter::written() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return written_;
}

}  // namespace podium_dedup
