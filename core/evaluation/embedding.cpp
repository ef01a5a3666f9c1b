#include "core/evaluation/embedding.h"

#include "core/common/device.h"
#include "core/common/error.h"
#include "core/config/config_loader.h"
#include "core/common/tensor_vector.h"
#include "core/common/torch_errors.h"
#include "core/evaluation/loaded_run.h"
#include "core/evaluation/neighbours.h"
#include "core/data/augmentation.h"
#include "core/data/dataset_registry.h"
#include "core/io/evaluation_files.h"
#include "core/io/run_directory.h"
#include "core/training/checkpoint.h"
#include "core/training/objective.h"

#include <torch/torch.h>

#include <cmath>
#include <filesystem>
#include <iomanip>
#include <map>
#include <sstream>

namespace tau::core {

namespace fs = std::filesystem;

namespace {

constexpr int kExaggerationIterations = 250;
constexpr double kExaggeration = 12.0;

/** Conditional affinities P(j|i) with each row's Gaussian bandwidth bisected to the target perplexity. */
torch::Tensor conditionalAffinities(const torch::Tensor& distances, double perplexity, bool squareWithSelf = true)
{
    const int64_t n = distances.size(0);
    const double target = std::log(perplexity);
    torch::Tensor beta = torch::ones({n, 1}, torch::kDouble);
    torch::Tensor low = torch::full({n, 1}, 0.0, torch::kDouble);
    torch::Tensor high = torch::full({n, 1}, std::numeric_limits<double>::infinity(), torch::kDouble);
    // A square matrix has each point's distance to itself on the diagonal: that pair never counts.
    const torch::Tensor offDiagonal =
        squareWithSelf ? 1.0 - torch::eye(n, torch::kDouble) : torch::ones_like(distances);
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

/** A quadtree over the 2-D map: each cell keeps its centre of mass and point count. */
class QuadTree
{
public:
    explicit QuadTree(const std::vector<double>& y)
    {
        double minX = 1e300, minY = 1e300, maxX = -1e300, maxY = -1e300;
        const size_t n = y.size() / 2;
        for (size_t i = 0; i < n; ++i) {
            minX = std::min(minX, y[2 * i]);
            maxX = std::max(maxX, y[2 * i]);
            minY = std::min(minY, y[2 * i + 1]);
            maxY = std::max(maxY, y[2 * i + 1]);
        }
        const double half = std::max(maxX - minX, maxY - minY) / 2.0 + 1e-5;
        m_cells.push_back(Cell{(minX + maxX) / 2.0, (minY + maxY) / 2.0, half});
        for (size_t i = 0; i < n; ++i) {
            insert(0, y[2 * i], y[2 * i + 1], 0);
        }
    }

    /** Adds the repulsion on the point at (x, y): sum of num^2 (y_i - y_cell) per cell, and sum of num to z. */
    void repulsion(double x, double y, double theta, double& forceX, double& forceY, double& z) const
    {
        visit(0, x, y, theta, forceX, forceY, z);
    }

private:
    struct Cell
    {
        double centreX, centreY, half;
        double massX = 0, massY = 0;
        int count = 0;
        int children = -1; ///< index of the first of four children; -1 for a leaf
        double pointX = 0, pointY = 0;
    };

    void insert(int index, double x, double y, int depth)
    {
        Cell& cell = m_cells[size_t(index)];
        cell.massX = (cell.massX * cell.count + x) / (cell.count + 1);
        cell.massY = (cell.massY * cell.count + y) / (cell.count + 1);
        ++cell.count;
        if (cell.count == 1) {
            cell.pointX = x;
            cell.pointY = y;
            return;
        }
        if (depth > 40) {
            return; // duplicate points: keep them together in this leaf
        }
        if (cell.children < 0) {
            split(index);
            const Cell& again = m_cells[size_t(index)];
            insert(childFor(index, again.pointX, again.pointY), again.pointX, again.pointY, depth + 1);
        }
        insert(childFor(index, x, y), x, y, depth + 1);
    }

    void split(int index)
    {
        const Cell parent = m_cells[size_t(index)];
        const double quarter = parent.half / 2.0;
        m_cells[size_t(index)].children = int(m_cells.size());
        for (int k = 0; k < 4; ++k) {
            m_cells.push_back(Cell{parent.centreX + ((k & 1) ? quarter : -quarter),
                                   parent.centreY + ((k & 2) ? quarter : -quarter), quarter});
        }
    }

    int childFor(int index, double x, double y) const
    {
        const Cell& cell = m_cells[size_t(index)];
        return cell.children + (x > cell.centreX ? 1 : 0) + (y > cell.centreY ? 2 : 0);
    }

    void visit(int index, double x, double y, double theta, double& forceX, double& forceY, double& z) const
    {
        const Cell& cell = m_cells[size_t(index)];
        if (cell.count == 0) {
            return;
        }
        const double dx = x - cell.massX, dy = y - cell.massY;
        const double distance2 = dx * dx + dy * dy;
        const bool leaf = cell.children < 0;
        if (leaf && distance2 < 1e-18) {
            return; // the point itself (or exact duplicates of it)
        }
        if (leaf || 2.0 * cell.half < theta * std::sqrt(distance2)) {
            const double num = 1.0 / (1.0 + distance2);
            z += cell.count * num;
            forceX += cell.count * num * num * dx;
            forceY += cell.count * num * num * dy;
            return;
        }
        for (int k = 0; k < 4; ++k) {
            visit(cell.children + k, x, y, theta, forceX, forceY, z);
        }
    }

    std::vector<Cell> m_cells;
};

/** Sparse symmetric affinities over the k nearest neighbours of every point, as (i, j, p_ij) rows per i. */
std::vector<std::vector<std::pair<int64_t, double>>> sparseAffinities(const torch::Tensor& x, double perplexity)
{
    const int64_t n = x.size(0);
    const int64_t k = std::min<int64_t>(n - 1, int64_t(3 * perplexity));
    std::vector<std::map<int64_t, double>> rows(static_cast<size_t>(n));
    NeighbourOptions search;
    search.k = k;
    search.metric = NeighbourMetric::SquaredEuclidean;
    search.excludeSelf = true;
    const Neighbours neighbours = nearestNeighbours(x, x, search);
    for (int64_t begin = 0; begin < n; begin += 1024) {
        const torch::Tensor nearest = neighbours.values.slice(0, begin, begin + 1024);
        const torch::Tensor indices = neighbours.indices.slice(0, begin, begin + 1024);
        const torch::Tensor conditional = conditionalAffinities(nearest, perplexity, /*squareWithSelf=*/false);
        for (int64_t r = 0; r < nearest.size(0); ++r) {
            for (int64_t c = 0; c < k; ++c) {
                const int64_t i = begin + r, j = indices[r][c].item<int64_t>();
                const double value = conditional[r][c].item<double>() / (2.0 * double(n));
                rows[size_t(i)][j] += value;
                rows[size_t(j)][i] += value;
            }
        }
    }
    std::vector<std::vector<std::pair<int64_t, double>>> result(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) {
        result[size_t(i)].assign(rows[size_t(i)].begin(), rows[size_t(i)].end());
    }
    return result;
}

std::vector<double> barnesHut(const torch::Tensor& x, const TsneOptions& options,
                              const std::function<void(int, int)>& progress, const CancellationToken& cancel)
{
    const int64_t n = x.size(0);
    const auto affinities = sparseAffinities(x, options.perplexity);
    auto generator = at::detail::createCPUGenerator(options.seed);
    const torch::Tensor start = torch::randn({n, 2}, generator, torch::kDouble) * 1e-2;
    std::vector<double> y(start.data_ptr<double>(), start.data_ptr<double>() + 2 * n);
    std::vector<double> velocity(size_t(2 * n), 0.0), gains(size_t(2 * n), 1.0), gradient(size_t(2 * n));
    const double learningRate =
        options.learningRate > 0 ? options.learningRate : std::max(double(n) / kExaggeration / 4.0, 50.0);
    for (int iteration = 0; iteration < options.iterations && !cancel.stopRequested(); ++iteration) {
        const double exaggeration = iteration < kExaggerationIterations ? kExaggeration : 1.0;
        const double momentum = iteration < kExaggerationIterations ? 0.5 : 0.8;
        const QuadTree tree(y);
        double z = 0;
        std::vector<double> repulsive(size_t(2 * n), 0.0);
        for (int64_t i = 0; i < n; ++i) {
            tree.repulsion(y[size_t(2 * i)], y[size_t(2 * i + 1)], options.theta, repulsive[size_t(2 * i)],
                           repulsive[size_t(2 * i + 1)], z);
        }
        for (int64_t i = 0; i < n; ++i) {
            double attractX = 0, attractY = 0;
            for (const auto& [j, p] : affinities[size_t(i)]) {
                const double dx = y[size_t(2 * i)] - y[size_t(2 * j)], dy = y[size_t(2 * i + 1)] - y[size_t(2 * j + 1)];
                const double num = 1.0 / (1.0 + dx * dx + dy * dy);
                attractX += p * num * dx;
                attractY += p * num * dy;
            }
            gradient[size_t(2 * i)] = 4.0 * (exaggeration * attractX - repulsive[size_t(2 * i)] / z);
            gradient[size_t(2 * i + 1)] = 4.0 * (exaggeration * attractY - repulsive[size_t(2 * i + 1)] / z);
        }
        double meanX = 0, meanY = 0;
        for (size_t k = 0; k < y.size(); ++k) {
            const bool sameSign = (gradient[k] > 0) == (velocity[k] > 0);
            gains[k] = std::max(0.01, sameSign ? gains[k] * 0.8 : gains[k] + 0.2);
            velocity[k] = momentum * velocity[k] - learningRate * gains[k] * gradient[k];
            y[k] += velocity[k];
            (k % 2 == 0 ? meanX : meanY) += y[k];
        }
        for (size_t k = 0; k < y.size(); ++k) {
            y[k] -= (k % 2 == 0 ? meanX : meanY) / double(n);
        }
        if (progress && (iteration % 25 == 0 || iteration + 1 == options.iterations)) {
            progress(iteration + 1, options.iterations);
        }
    }
    return y;
}

} // namespace

std::vector<double> pca2(const std::vector<float>& points, int64_t dim, int64_t fitRows)
{
    const torch::Tensor x = torch::tensor(points, torch::kDouble).view({-1, dim});
    const torch::Tensor fitted = fitRows > 0 && fitRows < x.size(0) ? x.slice(0, 0, fitRows) : x;
    const torch::Tensor mean = fitted.mean(0, true);
    const auto svd = torch::linalg_svd(fitted - mean, /*full_matrices=*/false, c10::nullopt);
    const torch::Tensor projected = torch::matmul(x - mean, std::get<2>(svd).slice(0, 0, 2).t()).contiguous();
    return {projected.data_ptr<double>(), projected.data_ptr<double>() + projected.numel()};
}

std::vector<double> tsne(const std::vector<float>& points, int64_t dim, const TsneOptions& options,
                         const std::function<void(int, int)>& progress, const CancellationToken& cancel)
{
    const torch::Tensor x = torch::tensor(points, torch::kDouble).view({-1, dim});
    const int64_t n = x.size(0);
    if (n < 4 || options.perplexity * 3 >= double(n)) {
        throw TauError("t-SNE: perplexity " + std::to_string(options.perplexity) + " needs more than " +
                       std::to_string(int(options.perplexity * 3)) + " points, got " + std::to_string(n));
    }
    if (n > options.exactLimit) {
        return barnesHut(x, options, progress, cancel);
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

namespace {

EmbeddingResult embed(const EmbeddingOptions& options, EvaluationObserver& observer, const CancellationToken& cancel)
{
    const torch::Device device = resolveDevice(options.device);
    configureThreads(options.threads);
    LoadedRun run = loadRun(options.checkpoint, options.dataset, options.limit, Split::Test, device);
    const ImageDataset& set = run.images;
    std::vector<torch::Tensor> vectors, rs;
    PassProgress progress(observer, set.size());
    PassOptions pass;
    pass.stage = "features";
    pass.batchSize = options.batchSize;
    forEachBatch(run.model(), set, pass, progress, cancel, [&](const PassBatch& batch) {
        vectors.push_back((options.space == "loc" ? batch.output.loc : batch.output.features).to(torch::kCPU, torch::kFloat));
        if (batch.output.rawR.defined()) {
            rs.push_back(batch.output.rawR.to(torch::kCPU, torch::kDouble));
        }
    });
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
    std::vector<EmbeddedPoint> table(static_cast<size_t>(matrix.size(0)));
    const std::vector<int64_t> labels = toVector<int64_t>(set.labels);
    const std::vector<double> certainties = certainty.defined() ? toVector<double>(certainty) : std::vector<double>();
    for (size_t i = 0; i < table.size(); ++i) {
        EmbeddedPoint& point = table[i];
        point.index = int64_t(i);
        point.label = labels[i];
        if (!certainties.empty()) {
            point.certainty = certainties[i];
        }
        point.pcaX = pca[2 * i];
        point.pcaY = pca[2 * i + 1];
        if (options.withTsne) {
            point.tsneX = projected[2 * i];
            point.tsneY = projected[2 * i + 1];
        }
    }
    result.directory = run.paths.evaluation(options.name);
    writeEmbeddingTable(result.directory, table);
    result.file = result.directory + "/embedding.csv";
    result.points = matrix.size(0);
    return result;
}

} // namespace

EmbeddingResult embedDataset(const EmbeddingOptions& options, EvaluationObserver& observer,
                             const CancellationToken& cancel)
{
    return translateTorchErrors("embedding", [&] { return embed(options, observer, cancel); });
}

} // namespace tau::core
