#include "core/evaluation/embedding.h"

#include "core/common/device.h"
#include "core/common/error.h"
#include "core/config/config_loader.h"
#include "core/data/augmentation.h"
#include "core/data/dataset_registry.h"
#include "core/io/run_directory.h"
#include "core/training/checkpoint.h"
#include "core/training/objective.h"

#include <torch/torch.h>

#include <cmath>
#include <filesystem>
#include <iomanip>
#include <sstream>

namespace tau::core {

namespace fs = std::filesystem;

namespace {

constexpr int kExaggerationIterations = 250;
constexpr double kExaggeration = 12.0;

/** Conditional affinities P(j|i) with each row's Gaussian bandwidth bisected to the target perplexity. */
torch::Tensor conditionalAffinities(const torch::Tensor& distances, double perplexity)
{
    const int64_t n = distances.size(0);
    const double target = std::log(perplexity);
    torch::Tensor beta = torch::ones({n, 1}, torch::kDouble);
    torch::Tensor low = torch::full({n, 1}, 0.0, torch::kDouble);
    torch::Tensor high = torch::full({n, 1}, std::numeric_limits<double>::infinity(), torch::kDouble);
    const torch::Tensor offDiagonal = 1.0 - torch::eye(n, torch::kDouble);
    torch::Tensor p;
    for (int step = 0; step < 64; ++step) {
        p = (-distances * beta).exp() * offDiagonal;
        const torch::Tensor sum = p.sum(1, true).clamp_min(1e-300);
        const torch::Tensor entropy = sum.log() + beta * (distances * p).sum(1, true) / sum;
        p = p / sum;
        // Too much entropy: narrow the Gaussian (larger beta); too little: widen it.
        const torch::Tensor tooFlat = entropy > target;
        low = torch::where(tooFlat, beta, low);
        high = torch::where(tooFlat, high, beta);
        beta = torch::where(torch::isinf(high), beta * 2.0, (low + high) / 2.0);
    }
    return p;
}

} // namespace

std::vector<double> pca2(const std::vector<float>& points, int64_t dim)
{
    const torch::Tensor x = torch::tensor(points, torch::kDouble).view({-1, dim});
    const torch::Tensor centred = x - x.mean(0, true);
    const auto svd = torch::linalg::svd(centred, /*full_matrices=*/false, c10::nullopt);
    const torch::Tensor projected = torch::matmul(centred, std::get<2>(svd).slice(0, 0, 2).t()).contiguous();
    return {projected.data_ptr<double>(), projected.data_ptr<double>() + projected.numel()};
}

std::vector<double> tsne(const std::vector<float>& points, int64_t dim, const TsneOptions& options,
                         const std::function<void(int, int)>& progress, const CancellationToken& cancel)
{
    const torch::Tensor x = torch::tensor(points, torch::kDouble).view({-1, dim});
    const int64_t n = x.size(0);
    if (n > options.exactLimit) {
        throw TauError("t-SNE: " + std::to_string(n) + " points is more than the exact method's limit of " +
                       std::to_string(options.exactLimit) + "; embed fewer (--limit)");
    }
    if (n < 4 || options.perplexity * 3 >= double(n)) {
        throw TauError("t-SNE: perplexity " + std::to_string(options.perplexity) + " needs more than " +
                       std::to_string(int(options.perplexity * 3)) + " points, got " + std::to_string(n));
    }
    const torch::Tensor squared = (x.pow(2).sum(1, true) + x.pow(2).sum(1).unsqueeze(0) - 2.0 * x.matmul(x.t())).clamp_min(0.0);
    torch::Tensor p = conditionalAffinities(squared, options.perplexity);
    p = ((p + p.t()) / (2.0 * double(n))).clamp_min(1e-12);

    auto generator = at::detail::createCPUGenerator(options.seed);
    torch::Tensor y = torch::randn({n, 2}, generator, torch::kDouble) * 1e-2;
    torch::Tensor velocity = torch::zeros_like(y);
    torch::Tensor gains = torch::ones_like(y);
    const torch::Tensor offDiagonal = 1.0 - torch::eye(n, torch::kDouble);
    const double learningRate =
        options.learningRate > 0 ? options.learningRate : std::max(double(n) / kExaggeration / 4.0, 50.0);
    for (int iteration = 0; iteration < options.iterations && !cancel.stopRequested(); ++iteration) {
        const double exaggeration = iteration < kExaggerationIterations ? kExaggeration : 1.0;
        const double momentum = iteration < kExaggerationIterations ? 0.5 : 0.8;
        const torch::Tensor distances = (y.pow(2).sum(1, true) + y.pow(2).sum(1).unsqueeze(0) - 2.0 * y.matmul(y.t()));
        const torch::Tensor kernel = offDiagonal / (1.0 + distances.clamp_min(0.0));
        const torch::Tensor q = (kernel / kernel.sum()).clamp_min(1e-12);
        const torch::Tensor weights = (exaggeration * p - q) * kernel;
        const torch::Tensor gradient = 4.0 * (weights.sum(1, true) * y - weights.matmul(y));
        // Delta-bar-delta gains: grow where the gradient keeps pointing against the last step.
        const torch::Tensor sameSign = (gradient > 0) == (velocity > 0);
        gains = torch::where(sameSign, gains * 0.8, gains + 0.2).clamp_min(0.01);
        velocity = momentum * velocity - learningRate * gains * gradient;
        y = y + velocity;
        y = y - y.mean(0, true);
        if (progress && (iteration % 25 == 0 || iteration + 1 == options.iterations)) {
            progress(iteration + 1, options.iterations);
        }
    }
    const torch::Tensor result = y.contiguous();
    return {result.data_ptr<double>(), result.data_ptr<double>() + result.numel()};
}

EmbeddingResult embedDataset(const EmbeddingOptions& options, EvaluationObserver& observer,
                             const CancellationToken& cancel)
{
    const torch::Device device = resolveDevice(options.device);
    configureThreads(options.threads);
    const std::string file = fs::is_directory(options.checkpoint)
                                 ? (fs::path(options.checkpoint) / "checkpoints" / "last.pt").string()
                                 : options.checkpoint;
    if (!fs::exists(file)) {
        throw DataError(file + ": checkpoint not found");
    }
    const std::string runDirectory = fs::path(file).parent_path().parent_path().string();
    const ExperimentConfig config = loadConfigFile(runDirectory + "/config.yaml");
    DataConfig data = config.dataset;
    data.name = options.dataset.empty() ? config.dataset.name : options.dataset;
    if (data.name != config.dataset.name) {
        data.root.clear();
    }
    data.limit = options.limit;
    const ImageDataset set = loadDataset(data, Split::Test, config.data);
    const ModelInput input{set.channels(), set.imageSize(),
                           config.system == "supervised" ? int64_t(set.classNames.size()) : 0};
    std::unique_ptr<TrainingObjective> objective = makeObjective(config, input, device);
    loadCheckpoint(file, objective->model());
    objective->setTraining(false);
    AugmentationOptions transformOptions;
    transformOptions.cropSize = set.imageSize();
    transformOptions.mean = set.mean;
    transformOptions.std = set.std;
    const ViewAugmenter transform(transformOptions);

    std::vector<torch::Tensor> vectors, rs;
    {
        torch::NoGradGuard noGrad;
        for (int64_t begin = 0; begin < set.size() && !cancel.stopRequested(); begin += 256) {
            const int64_t end = std::min(set.size(), begin + 256);
            const ModelOutput out = objective->infer(transform.evaluationView(set.gather(torch::arange(begin, end)).to(device)));
            vectors.push_back((options.space == "loc" ? out.loc : out.features).to(torch::kCPU, torch::kFloat));
            if (out.rawR.defined()) {
                rs.push_back(out.rawR.to(torch::kCPU, torch::kDouble));
            }
            observer.onProgress("features", end, set.size(), 0.0);
        }
    }
    EmbeddingResult result;
    if (cancel.stopRequested()) {
        result.cancelled = true;
        return result;
    }
    const torch::Tensor matrix = torch::cat(vectors).contiguous();
    const std::vector<float> points(matrix.data_ptr<float>(), matrix.data_ptr<float>() + matrix.numel());
    const std::vector<double> pca = pca2(points, matrix.size(1));
    std::vector<double> projected;
    if (options.withTsne) {
        projected = tsne(points, matrix.size(1), options.tsne,
                         [&](int done, int total) { observer.onProgress("t-SNE", done, total, 0.0); }, cancel);
        if (cancel.stopRequested()) {
            result.cancelled = true;
            return result;
        }
    }
    const torch::Tensor certainty = rs.empty() ? torch::Tensor() : torch::sigmoid(torch::cat(rs));
    std::ostringstream csv;
    csv << std::setprecision(10) << "index,label,c,pca_x,pca_y" << (options.withTsne ? ",tsne_x,tsne_y" : "") << '\n';
    for (int64_t i = 0; i < matrix.size(0); ++i) {
        csv << i << ',' << set.labels[i].item<int64_t>() << ',';
        if (certainty.defined()) {
            csv << certainty[i].item<double>();
        }
        csv << ',' << pca[size_t(2 * i)] << ',' << pca[size_t(2 * i + 1)];
        if (options.withTsne) {
            csv << ',' << projected[size_t(2 * i)] << ',' << projected[size_t(2 * i + 1)];
        }
        csv << '\n';
    }
    result.directory = runDirectory + "/eval/" + options.name;
    fs::create_directories(result.directory);
    result.file = result.directory + "/embedding.csv";
    writeFileAtomically(result.file, csv.str());
    result.points = matrix.size(0);
    return result;
}

} // namespace tau::core
