#include "taxi/trip_file.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "testutil/temp_dir.h"

namespace sluice::taxi {
namespace {

class TripFileTest : public ::testing::Test {
 protected:
  std::string Path(const std::string& name) const { return temp_.path() + "/" + name; }

  std::vector<std::string> Names() const {
    std::vector<std::string> names;
    for (const auto& entry : std::filesystem::directory_iterator(temp_.path())) {
      names.push_back(entry.path().filename().string());
    }
    return names;
  }

  static std::string Read(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }

  testutil::TempDir temp_;
};

TEST_F(TripFileTest, WritesWhatGenerateTripsWritesAndNothingElse) {
  auto written = WriteTripsFile(Path("trips.csv"), 5000, 9, 0.02);
  ASSERT_TRUE(written) << written.error().message;
  std::ostringstream expected;
  auto generated = GenerateTrips(5000, 9, 0.02, expected);
  ASSERT_TRUE(generated);
  EXPECT_EQ(Read(Path("trips.csv")), expected.str());
  EXPECT_EQ(written->rows, 5000u);
  EXPECT_EQ(written->bad_rows, generated->bad_rows);
  EXPECT_EQ(written->bytes, expected.str().size());
  EXPECT_EQ(Names(), std::vector<std::string>{"trips.csv"});
}

TEST_F(TripFileTest, ReplacesAnExistingFile) {
  { std::ofstream(Path("trips.csv")) << "old content that is longer than a header line\n"; }
  ASSERT_TRUE(WriteTripsFile(Path("trips.csv"), 0, 1, 0));
  EXPECT_EQ(Read(Path("trips.csv")), std::string(kTripCsvHeader) + "\n");
  EXPECT_EQ(Names(), std::vector<std::string>{"trips.csv"});
}

TEST_F(TripFileTest, FailsForAMissingFolderAndLeavesNothing) {
  auto written = WriteTripsFile(Path("no/such/trips.csv"), 10, 1, 0);
  ASSERT_FALSE(written);
  EXPECT_EQ(written.error().code, ErrorCode::kNotFound);
  EXPECT_NE(written.error().message.find("no/such/.trips.csv.tmp-"), std::string::npos)
      << written.error().message;
  EXPECT_TRUE(Names().empty());
}

TEST_F(TripFileTest, FailsWhenThePathIsAFolderAndRemovesTheTemporaryFile) {
  std::filesystem::create_directory(Path("taken"));
  auto written = WriteTripsFile(Path("taken"), 10, 1, 0);
  ASSERT_FALSE(written);
  EXPECT_NE(written.error().message.find("cannot rename a temporary file to"), std::string::npos)
      << written.error().message;
  EXPECT_EQ(Names(), std::vector<std::string>{"taken"});
}

TEST_F(TripFileTest, RejectsABadShareBeforeTouchingTheDisk) {
  auto written = WriteTripsFile(Path("trips.csv"), 10, 1, 2.0);
  ASSERT_FALSE(written);
  EXPECT_EQ(written.error().code, ErrorCode::kInvalidArgument);
  EXPECT_TRUE(Names().empty());
}

}  // namespace
}  // namespace sluice::taxi
