#include "core/evaluation/ranking.h"

#include "core/io/csv.h"

#include "core/common/device.h"
#include "core/common/error.h"
#include "core/config/config_loader.h"
#include "core/common/torch_errors.h"
#include "core/evaluation/loaded_run.h"
#include "core/methods/system_catalog.h"
#include "core/data/augmentation.h"
#include "core/data/dataset_registry.h"
#include "core/io/run_directory.h"
#include "core/training/checkpoint.h"
#include "core/training/objective.h"

#include <stb_image_write.h>
#include <torch/torch.h>

#include <filesystem>
#include <iomanip>
#include <sstream>

namespace tau::core {

namespace fs = std::filesystem;

namespace {

constexpr int kGap = 2;

/** A grid with a row per class: the images at @p rows[class], scaled up, on a white background. */
void writeGrid(const std::string& path, const ImageDataset& set, const std::vector<std::vector<int64_t>>& rows,
               int columns, int scale)
{
    const int side = int(set.imageSize()) * scale;
    const int channels = int(set.channels());
    const int width = columns * (side + kGap) + kGap;
    const int height = int(rows.size()) * (side + kGap) + kGap;
    std::vector<uint8_t> canvas(size_t(width) * size_t(height) * size_t(channels), 255);
    for (size_t row = 0; row < rows.size(); ++row) {
        for (size_t column = 0; column < rows[row].size(); ++column) {
            const torch::Tensor image = set.gather(torch::tensor({rows[row][column]}, torch::kLong))[0].contiguous();
            const uint8_t* pixels = image.data_ptr<uint8_t>();
            const int left = kGap + int(column) * (side + kGap), top = kGap + int(row) * (side + kGap);
            for (int y = 0; y < side; ++y) {
                for (int x = 0; x < side; ++x) {
                    for (int c = 0; c < channels; ++c) {
                        const size_t source = (size_t(c) * size_t(set.imageSize()) + size_t(y / scale)) * size_t(set.imageSize()) + size_t(x / scale);
                        canvas[(size_t(top + y) * size_t(width) + size_t(left + x)) * size_t(channels) + size_t(c)] = pixels[source];
                    }
                }
            }
        }
    }
    if (stbi_write_png(path.c_str(), width, height, channels, canvas.data(), width * channels) == 0) {
        throw TauError(path + ": cannot write the PNG (disk full or no permission?)");
    }
}

RankingResult rank(const RankingOptions& options, EvaluationObserver& observer, const CancellationToken& cancel)
{
    const torch::Device device = resolveDevice(options.device);
    configureThreads(options.threads);
    LoadedRun run = loadRun(options.checkpoint, options.dataset, options.limit, Split::Test, device);
    if (!systemOf(run.config).learnsTemperature) {
        throw TauError("rank: the run is " + run.config.system + ", which has no certainty c; rank a TaU run");
    }
    const ImageDataset& set = run.images;
    std::vector<torch::Tensor> rs;
    PassProgress progress(observer, set.size());
    PassOptions pass;
    pass.stage = "certainty";
    pass.batchSize = options.batchSize;
    forEachBatch(run.model(), set, pass, progress, cancel, [&](const PassBatch& batch) {
        rs.push_back(batch.output.rawR.to(torch::kCPU, torch::kDouble));
    });
    RankingResult result;
    if (cancel.stopRequested()) {
        result.cancelled = true;
        return result;
    }
    const torch::Tensor r = torch::cat(rs);
    std::vector<std::vector<int64_t>> most, least;
    std::ostringstream csv;
    csv << std::setprecision(10) << "class,class_name,kind,rank,index,r,c\n";
    for (size_t label = 0; label < set.classNames.size(); ++label) {
        const torch::Tensor members = (set.labels == int64_t(label)).nonzero().squeeze(1);
        if (members.numel() == 0) {
            continue;
        }
        const torch::Tensor order = r.index_select(0, members).argsort(0, /*descending=*/true);
        const int64_t count = std::min<int64_t>(options.perClass, members.numel());
        most.emplace_back();
        least.emplace_back();
        for (int64_t k = 0; k < count; ++k) {
            const int64_t top = members[order[k]].item<int64_t>();
            const int64_t bottom = members[order[members.numel() - 1 - k]].item<int64_t>();
            most.back().push_back(top);
            least.back().push_back(bottom);
            for (const auto& [kind, index] : {std::pair<const char*, int64_t>{"most", top}, {"least", bottom}}) {
                const double value = r[index].item<double>();
                csv << label << ',' << csvField(set.classNames[label]) << ',' << kind << ',' << k + 1 << ',' << index << ','
                    << value << ',' << 1.0 / (1.0 + std::exp(-value)) << '\n';
            }
        }
    }
    result.directory = run.paths.evaluation(options.name);
    fs::create_directories(result.directory);
    writeGrid(result.directory + "/most_certain.png", set, most, options.perClass, options.scale);
    writeGrid(result.directory + "/least_certain.png", set, least, options.perClass, options.scale);
    writeFileAtomically(result.directory + "/rankings.csv", csv.str());
    return result;
}

} // namespace

RankingResult rankByCertainty(const RankingOptions& options, EvaluationObserver& observer,
                              const CancellationToken& cancel)
{
    return translateTorchErrors("ranking", [&] { return rank(options, observer, cancel); });
}

} // namespace tau::core
