#include "widgets/browser/certainty_models.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace tau::widgets {

namespace {

double scoreOf(const ThumbnailSet& set, int image)
{
    return set.hasScores() ? set.scores[image] : std::numeric_limits<double>::quiet_NaN();
}

/** Image indices sorted by score, highest first; ties (and a set without scores) keep index order. */
QVector<int> byScoreDescending(const ThumbnailSet& set, const QVector<int>& images)
{
    QVector<int> sorted = images;
    if (set.hasScores()) {
        // NaN scores go last (a strict weak order; `>` on NaN would make the sort undefined), as in core's metrics.
        std::stable_sort(sorted.begin(), sorted.end(), [&set](int a, int b) {
            return !std::isnan(set.scores[a]) && (std::isnan(set.scores[b]) || set.scores[a] > set.scores[b]);
        });
    }
    return sorted;
}

QString scoreText(const ThumbnailSet& set, int image)
{
    // c piles up near 1 once trained: six decimals keep neighbours in the grid apart.
    return set.hasScores() ? QStringLiteral("%1 %2").arg(set.scoreName, QString::number(set.scores[image], 'f', 6))
                           : QStringLiteral("#%1").arg(image);
}

QString toolTip(const ThumbnailSet& set, int image)
{
    QString text = QStringLiteral("%1 #%2\nclass: %3").arg(set.name).arg(image).arg(set.className(image));
    if (set.hasScores()) {
        text += QStringLiteral("\n%1 = %2").arg(set.scoreName, QString::number(set.scores[image], 'g', 8));
    }
    return text;
}

} // namespace

void ThumbnailCache::reset(SharedThumbnailSet set, int side)
{
    m_set = std::move(set);
    m_side = side;
    m_cache.clear();
}

QPixmap ThumbnailCache::pixmap(int image) const
{
    if (const QPixmap* cached = m_cache.object(image)) {
        return *cached;
    }
    if (!m_set) {
        return {};
    }
    const QImage scaled = m_set->image(image).scaled(m_side, m_side, Qt::KeepAspectRatio, Qt::FastTransformation);
    auto* pixmap = new QPixmap(QPixmap::fromImage(scaled));
    const QPixmap copy = *pixmap;
    m_cache.insert(image, pixmap);
    return copy;
}

namespace {

/** What both browser models answer for an image, besides its display text. */
QVariant imageData(const ThumbnailSet& set, const ThumbnailCache& thumbnails, int image, int role)
{
    switch (role) {
    case Qt::DecorationRole:
        return thumbnails.pixmap(image);
    case Qt::ToolTipRole:
        return toolTip(set, image);
    case ImageIndexRole:
        return image;
    case ScoreRole:
        return scoreOf(set, image);
    case LabelRole:
        return set.labels[image];
    default:
        return {};
    }
}

} // namespace

CertaintyGridModel::CertaintyGridModel(QObject* parent) : QAbstractListModel(parent) {}

void CertaintyGridModel::setImageSet(SharedThumbnailSet set)
{
    m_set = std::move(set);
    m_classFilter = -1;
    m_thumbnails.reset(m_set, m_thumbnails.side());
    rebuild();
}

void CertaintyGridModel::setClassFilter(int label)
{
    if (label != m_classFilter) {
        m_classFilter = label;
        rebuild();
    }
}

void CertaintyGridModel::setOrder(Qt::SortOrder order)
{
    if (order != m_order) {
        m_order = order;
        rebuild();
    }
}

void CertaintyGridModel::setThumbnailSide(int pixels)
{
    m_thumbnails.reset(m_set, pixels);
    if (!m_rows.isEmpty()) {
        Q_EMIT dataChanged(index(0), index(int(m_rows.size()) - 1), {Qt::DecorationRole, Qt::SizeHintRole});
    }
}

void CertaintyGridModel::rebuild()
{
    beginResetModel();
    m_rows.clear();
    m_rowOfImage.clear();
    if (m_set) {
        QVector<int> images;
        for (int i = 0; i < m_set->count(); ++i) {
            if (m_classFilter < 0 || m_set->labels[i] == m_classFilter) {
                images.append(i);
            }
        }
        m_rows = byScoreDescending(*m_set, images);
        if (m_order == Qt::AscendingOrder) {
            std::reverse(m_rows.begin(), m_rows.end());
        }
        m_rowOfImage.fill(-1, m_set->count());
        for (int row = 0; row < m_rows.size(); ++row) {
            m_rowOfImage[m_rows[row]] = row;
        }
    }
    endResetModel();
}

int CertaintyGridModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

QVariant CertaintyGridModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid) || !m_set) {
        return {};
    }
    const int image = m_rows[index.row()];
    return role == Qt::DisplayRole ? QVariant(scoreText(*m_set, image)) : imageData(*m_set, m_thumbnails, image, role);
}

int CertaintyGridModel::rowOfImage(int image) const
{
    return m_rowOfImage.value(image, -1);
}

ClassExtremesModel::ClassExtremesModel(QObject* parent) : QAbstractTableModel(parent) {}

void ClassExtremesModel::setImageSet(SharedThumbnailSet set)
{
    m_set = std::move(set);
    m_thumbnails.reset(m_set, m_thumbnails.side());
    rebuild();
}

void ClassExtremesModel::setPerSide(int count)
{
    m_perSide = std::max(1, count);
    rebuild();
}

void ClassExtremesModel::setThumbnailSide(int pixels)
{
    m_thumbnails.reset(m_set, pixels);
    if (rowCount() > 0) {
        Q_EMIT dataChanged(index(0, 0), index(rowCount() - 1, columnCount() - 1), {Qt::DecorationRole});
    }
}

void ClassExtremesModel::rebuild()
{
    beginResetModel();
    m_classes.clear();
    m_cells.clear();
    if (m_set) {
        QMap<int, QVector<int>> members;
        for (int i = 0; i < m_set->count(); ++i) {
            members[std::max(-1, m_set->labels[i])].append(i);
        }
        for (auto it = members.cbegin(); it != members.cend(); ++it) {
            const QVector<int> sorted = byScoreDescending(*m_set, it.value());
            const int shown = std::min<int>(m_perSide, int(sorted.size()));
            QVector<int> cells(2 * m_perSide, -1);
            for (int k = 0; k < shown; ++k) {
                cells[k] = sorted[k];                                     // most certain, left to right
                cells[2 * m_perSide - 1 - k] = sorted[sorted.size() - 1 - k]; // least certain at the far right
            }
            m_classes.append(it.key());
            m_cells.append(cells);
        }
    }
    endResetModel();
}

int ClassExtremesModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(m_cells.size());
}

int ClassExtremesModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : 2 * m_perSide;
}

int ClassExtremesModel::imageAt(int row, int column) const
{
    if (row < 0 || row >= m_cells.size() || column < 0 || column >= 2 * m_perSide) {
        return -1;
    }
    return m_cells[row][column];
}

QVariant ClassExtremesModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid) || !m_set) {
        return {};
    }
    const int image = imageAt(index.row(), index.column());
    if (image < 0) {
        return {};
    }
    if (role == Qt::DisplayRole) {
        return m_set->hasScores() ? QVariant(QString::number(m_set->scores[image], 'f', 3)) : QVariant(); // on the thumbnail
    }
    return imageData(*m_set, m_thumbnails, image, role);
}

QVariant ClassExtremesModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (role != Qt::DisplayRole) {
        return {};
    }
    if (orientation == Qt::Vertical) {
        if (section < 0 || section >= m_classes.size() || !m_set) {
            return {};
        }
        const int label = m_classes[section];
        return label < 0 ? tr("all") : (label < m_set->classNames.size() ? m_set->classNames[label] : QString::number(label));
    }
    if (section < 0 || section >= 2 * m_perSide) {
        return {};
    }
    return section < m_perSide ? tr("most %1").arg(section + 1) : tr("least %1").arg(2 * m_perSide - section);
}

} // namespace tau::widgets
