#include "pipefit/doctor/advice.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace pipefit {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::Not;

std::vector<std::string> Rules(const OomReport& r) {
  std::vector<std::string> ids;
  for (const Advice& a : AdviseOnOom(r)) ids.push_back(a.rule);
  return ids;
}

OomReport Cuda(OomStage stage) {
  OomReport r;
  r.kind = OomKind::kCuda;
  r.stage = stage;
  r.requested = 20 * kMiB;
  r.gpu_total = 24 * kGiB;
  r.gpu_free = 12 * kMiB;
  r.process_in_use = 24 * kGiB - 12 * kMiB;
  r.allocated_by_pytorch = 23 * kGiB;
  r.reserved_unallocated = 20 * kMiB;
  return r;
}

TEST(AdviceTest, NotAnOomSaysSoAndNothingElse) {
  EXPECT_EQ(Rules(OomReport{}), std::vector<std::string>{"not-oom"});
}

// The fixture's card is full (23 of 24 GiB allocated, 20 MiB requested):
// each stage's own advice, then the full-card diagnosis.
TEST(AdviceTest, EachStageGetsItsOwnAdvice) {
  using V = std::vector<std::string>;
  EXPECT_EQ(Rules(Cuda(OomStage::kLoading)), (V{"loading", "full-card"}));
  EXPECT_EQ(Rules(Cuda(OomStage::kTextEncoding)), (V{"text-encoding", "full-card"}));
  EXPECT_EQ(Rules(Cuda(OomStage::kDenoising)), (V{"denoising", "full-card"}));
  EXPECT_EQ(Rules(Cuda(OomStage::kVaeDecode)), (V{"vae", "full-card"}));
  EXPECT_EQ(Rules(Cuda(OomStage::kTraining)), (V{"training", "full-card"}));
  EXPECT_EQ(Rules(Cuda(OomStage::kUnknown)), (V{"full-card", "stage-unknown"}));
}

TEST(AdviceTest, VaeAdviceNamesTheVaeLevelCallNotThePipelineOne) {
  OomReport r = Cuda(OomStage::kVaeDecode);
  r.vae_call = "decode";
  const std::string text = AdviseOnOom(r).front().text;
  EXPECT_THAT(text, HasSubstr("pipe.vae.enable_tiling()"));
  EXPECT_THAT(text, HasSubstr("decoding"));
}

TEST(AdviceTest, FragmentationWhenReservedButUnallocatedCoversTheRequest) {
  OomReport r = Cuda(OomStage::kDenoising);
  r.requested = 512 * kMiB;
  r.reserved_unallocated = 3 * kGiB;
  EXPECT_THAT(Rules(r), Contains("fragmentation"));
  r.reserved_unallocated = 256 * kMiB;  // less than the request: not fragmentation
  EXPECT_THAT(Rules(r), Not(Contains("fragmentation")));
  r.reserved_unallocated = std::nullopt;
  EXPECT_THAT(Rules(r), Not(Contains("fragmentation")));
}

// The old message prints the reserved total: reserved - allocated is idle
// cache; with what is free it would have held the request in one piece.
TEST(AdviceTest, FragmentationFromTheOldFormatsReservedTotal) {
  OomReport r = Cuda(OomStage::kUnknown);
  r.reserved_unallocated = std::nullopt;
  r.requested = 3 * kGiB;
  r.gpu_free = kGiB / 4;
  r.allocated_by_pytorch = 10 * kGiB;
  r.reserved_total = 13 * kGiB;  // 3 GiB idle + 0.25 free >= 3 requested
  EXPECT_THAT(Rules(r), Contains("fragmentation"));
  r.reserved_total = 12 * kGiB;  // 2 GiB idle + 0.25 free < 3
  EXPECT_THAT(Rules(r), Not(Contains("fragmentation")));
}

TEST(AdviceTest, OtherProcessFromProcessLinesOrUnaccountedMemory) {
  OomReport r = Cuda(OomStage::kDenoising);
  EXPECT_THAT(Rules(r), Not(Contains("other-process")));
  r.other_processes.push_back({4242, 3 * kGiB});
  EXPECT_THAT(Rules(r), Contains("other-process"));
  // No "this process" figure and one process holding all PyTorch has: that
  // is this process (PyTorch printed its own pid).
  r.process_in_use = std::nullopt;
  r.other_processes = {{4242, 23 * kGiB + 20 * kMiB}};
  EXPECT_THAT(Rules(r), Not(Contains("other-process")));
  r.other_processes.clear();
  r.process_in_use = 16 * kGiB;  // 24 - 0.01 - 16: about 8 GiB belongs to someone else
  EXPECT_THAT(Rules(r), Contains("other-process"));
}

TEST(AdviceTest, SingleRequestOfATenthOfTheCardIsAnActivation) {
  OomReport r = Cuda(OomStage::kVaeDecode);
  r.requested = 24 * kGiB / 10 + 1;  // a tenth of 24 GiB, more than the 12 MiB free
  EXPECT_THAT(Rules(r), Contains("single-request-too-large"));
  EXPECT_THAT(AdviseOnOom(r).front().text, HasSubstr("Tile the VAE"));
  r.stage = OomStage::kDenoising;
  EXPECT_THAT(AdviseOnOom(r).front().text, HasSubstr("attention scores"));
  r.requested = 24 * kGiB / 10 - 1;
  EXPECT_THAT(Rules(r), Not(Contains("single-request-too-large")));
  r.requested = 6 * kGiB;
  r.gpu_free = 7 * kGiB;  // it would have fit: not the reason
  EXPECT_THAT(Rules(r), Not(Contains("single-request-too-large")));
}

TEST(AdviceTest, SmallRequestOnAFullCard) {
  OomReport r = Cuda(OomStage::kVaeDecode);
  r.requested = 20 * kMiB;
  r.allocated_by_pytorch = 21 * kGiB;  // 87.5% of 24 GiB
  EXPECT_THAT(Rules(r), Contains("full-card"));
  r.allocated_by_pytorch = 20 * kGiB;  // 83%, and 12 MiB free: the card is full all the same
  EXPECT_THAT(Rules(r), Contains("full-card"));
  r.gpu_free = 3 * kGiB;  // 83% held, room left: not full
  EXPECT_THAT(Rules(r), Not(Contains("full-card")));
  r.allocated_by_pytorch = 22 * kGiB;
  r.gpu_free = 12 * kMiB;
  r.requested = 2500 * kMiB;  // not small: over a tenth of the card (single-request-too-large's)
  EXPECT_THAT(Rules(r), Not(Contains("full-card")));
  r.requested = 1200 * kMiB;  // a twentieth: still small
  EXPECT_THAT(Rules(r), Contains("full-card"));
}

// A 4 GB card (field case c02, A1111): PyTorch holds 74%, the CUDA context
// and the desktop the rest; 13 MiB free for a 58 MiB request.
TEST(AdviceTest, SmallCardFullOfContext) {
  OomReport r = Cuda(OomStage::kUnknown);
  r.gpu_total = 3900 * kMiB;
  r.gpu_free = 13 * kMiB;
  r.requested = 58 * kMiB;
  r.process_in_use.reset();
  r.allocated_by_pytorch = 2890 * kMiB;
  EXPECT_THAT(Rules(r), Contains("full-card"));
  r.gpu_free = 100 * kMiB;  // the request would have fit
  EXPECT_THAT(Rules(r), Not(Contains("full-card")));
}

TEST(AdviceTest, HostAndMpsAndTruncated) {
  OomReport host;
  host.kind = OomKind::kHost;
  host.requested = 44 * kGiB;
  EXPECT_EQ(Rules(host), std::vector<std::string>{"host-oom"});
  EXPECT_THAT(AdviseOnOom(host).front().text, HasSubstr("44.00 GiB"));
  OomReport mps;
  mps.kind = OomKind::kMps;
  mps.stage = OomStage::kDenoising;
  EXPECT_EQ(Rules(mps), (std::vector<std::string>{"denoising", "mps-watermark"}));
  OomReport cut = Cuda(OomStage::kDenoising);
  cut.truncated = true;  // cut before the allocated figures
  cut.process_in_use = std::nullopt;
  cut.allocated_by_pytorch = std::nullopt;
  cut.reserved_unallocated = std::nullopt;
  EXPECT_EQ(Rules(cut), (std::vector<std::string>{"truncated", "denoising"}));
}

}  // namespace
}  // namespace pipefit
