#include "app/pages/analysis/embedding_tab.h"

#include "core/evaluation/embedding.h"
#include "core/evaluation/image_scan.h"
#include "widgets/plots/qcp.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

#include <algorithm>
#include <numeric>
#include <random>

namespace tau::app {

namespace {

constexpr int kIdPoints = 5000;  // enough to see structure; t-SNE of them takes well under a minute
constexpr int kOodPoints = 1000; // per OOD set

/** At most @p count image indices of @p total, a seeded choice kept in index order. */
std::vector<int> seededChoice(int total, int count)
{
    std::vector<int> indices(size_t(std::max(total, 0)));
    std::iota(indices.begin(), indices.end(), 0);
    if (total > count) {
        std::mt19937 generator(1337);
        std::shuffle(indices.begin(), indices.end(), generator);
        indices.resize(size_t(count));
        std::sort(indices.begin(), indices.end());
    }
    return indices;
}

} // namespace

EmbeddingTab::EmbeddingTab(QWidget* parent) : QWidget(parent)
{
    auto* layout = new QVBoxLayout(this);
    auto* controls = new QHBoxLayout;
    m_projection = new QComboBox;
    m_projection->setObjectName(QStringLiteral("projection"));
    m_projection->addItems({tr("PCA"), tr("t-SNE")});
    m_tsneButton = new QPushButton(tr("Compute t-SNE"));
    m_tsneButton->setObjectName(QStringLiteral("computeTsne"));
    m_tsneButton->setToolTip(tr("Barnes-Hut t-SNE of the shown points, in the background (a minute or two for 5,000 points on 2 cores)"));
    m_colouring = new QComboBox;
    m_colouring->setObjectName(QStringLiteral("colouring"));
    m_colouring->addItems({tr("Colour by certainty c"), tr("Colour by class")});
    m_clampLow = new QDoubleSpinBox;
    m_clampHigh = new QDoubleSpinBox;
    for (QDoubleSpinBox* box : {m_clampLow, m_clampHigh}) {
        box->setRange(0, 100);
        box->setDecimals(1);
        box->setSuffix(tr("th pct"));
    }
    m_clampLow->setValue(2);
    m_clampHigh->setValue(98);
    m_clampLow->setToolTip(tr("Colours saturate below this percentile of c"));
    m_clampHigh->setToolTip(tr("Colours saturate above this percentile of c"));
    m_addSet = new QComboBox;
    m_addSet->setObjectName(QStringLiteral("embeddingAddSet"));
    m_addSet->setToolTip(tr("Score an OOD set and show it with its own marker"));
    controls->addWidget(m_projection);
    controls->addWidget(m_tsneButton);
    controls->addWidget(m_colouring);
    controls->addWidget(new QLabel(tr("Clamp")));
    controls->addWidget(m_clampLow);
    controls->addWidget(m_clampHigh);
    controls->addWidget(m_addSet);
    controls->addStretch(1);
    m_embedding = new widgets::EmbeddingPlot;
    m_embedding->setObjectName(QStringLiteral("embeddingPlot"));
    layout->addLayout(controls);
    layout->addWidget(m_embedding, 1);
    setTsneAvailable(false);

    connect(m_tsneButton, &QPushButton::clicked, this, &EmbeddingTab::tsneRequested);
    connect(m_projection, &QComboBox::currentIndexChanged, this, [this] { showSets(m_shown); });
    connect(m_colouring, &QComboBox::currentIndexChanged, this, [this](int index) {
        m_embedding->setColouring(index == 0 ? widgets::EmbeddingPlot::Colouring::Certainty
                                             : widgets::EmbeddingPlot::Colouring::Class);
    });
    const auto clamp = [this] { m_embedding->setClampPercentiles(m_clampLow->value(), m_clampHigh->value()); };
    connect(m_clampLow, &QDoubleSpinBox::valueChanged, this, clamp);
    connect(m_clampHigh, &QDoubleSpinBox::valueChanged, this, clamp);
    connect(m_addSet, &QComboBox::activated, this, [this](int index) {
        if (index > 0) {
            Q_EMIT setRequested(m_addSet->itemText(index));
        }
        m_addSet->setCurrentIndex(0);
    });
    connect(m_embedding, &widgets::EmbeddingPlot::pointClicked, this, [this](int set, int image) {
        if (set >= 0 && set < m_sets.size()) {
            Q_EMIT imageClicked(m_sets[set], image);
        }
    });
}

void EmbeddingTab::setSetChoices(const QStringList& sets)
{
    m_addSet->clear();
    m_addSet->addItem(tr("Add an OOD set…"));
    m_addSet->addItems(sets);
}

void EmbeddingTab::setTsneAvailable(bool available)
{
    m_projection->setItemData(1, available ? QVariant() : QVariant(false), Qt::UserRole - 1);
    m_projection->blockSignals(true);
    m_projection->setCurrentIndex(available ? 1 : 0);
    m_projection->blockSignals(false);
}

void EmbeddingTab::showSets(const QVector<EmbeddedSet>& sets)
{
    // The points: a seeded choice of the ID test set, then of every scanned OOD set.
    m_shown = sets;
    m_sets.clear();
    m_members.clear();
    auto features = std::make_shared<std::vector<float>>();
    m_dim = 0;
    for (const EmbeddedSet& entry : sets) {
        const core::ScannedImages& scan = *entry.scan;
        if (scan.featureDim == 0) {
            continue;
        }
        m_dim = scan.featureDim;
        const int set = int(m_sets.size());
        m_sets.append(entry.thumbnails);
        for (const int image : seededChoice(int(scan.count), scan.outOfDistribution ? kOodPoints : kIdPoints)) {
            m_members.append({set, image});
            const auto row = scan.features.begin() + ptrdiff_t(image) * ptrdiff_t(scan.featureDim);
            features->insert(features->end(), row, row + ptrdiff_t(scan.featureDim));
        }
    }
    m_features = features;
    // Adding a set invalidates an earlier t-SNE (it was computed without it): back to PCA until recomputed.
    setTsneAvailable(false);
    if (m_members.size() < 2) {
        m_embedding->setData({}, {}, tr("PCA"));
        return;
    }
    // Fitted on the ID points (first in m_members): adding an OOD set leaves the ID layout where it was.
    const auto idPoints = std::count_if(m_members.begin(), m_members.end(), [](const auto& member) { return member.first == 0; });
    m_embedding->setData(m_sets, pointsAt(core::pca2(*features, m_dim, int64_t(idPoints))), tr("PCA"));
}

QVector<widgets::EmbeddingPoint> EmbeddingTab::pointsAt(const std::vector<double>& coordinates) const
{
    QVector<widgets::EmbeddingPoint> points;
    for (int i = 0; i < m_members.size(); ++i) {
        points.append({coordinates[size_t(2 * i)], coordinates[size_t(2 * i + 1)], m_members[i].first, m_members[i].second});
    }
    return points;
}

bool EmbeddingTab::tsneRequest(ProjectionRequest& request) const
{
    if (!m_features || m_members.size() < 10) {
        return false;
    }
    request.points = m_features;
    request.dim = m_dim;
    request.options.perplexity = std::min(30.0, (double(m_members.size()) - 1.0) / 3.0);
    return true;
}

bool EmbeddingTab::showTsne(const QVector<double>& coordinates)
{
    if (coordinates.size() != 2 * m_members.size()) {
        return false; // the points changed while t-SNE ran
    }
    m_embedding->setData(m_sets, pointsAt(std::vector<double>(coordinates.begin(), coordinates.end())), tr("t-SNE"));
    setTsneAvailable(true);
    return true;
}

void EmbeddingTab::setBusy(bool busy)
{
    m_tsneButton->setEnabled(!busy);
}

QVector<FigureEntry> EmbeddingTab::figures() const
{
    if (m_embedding->pointCount() == 0) {
        return {};
    }
    return {{tr("Embedding"), m_embedding->plot(), [this] { return m_embedding->toCsv(); }}};
}

} // namespace tau::app
