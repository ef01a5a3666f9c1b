#pragma once

#include "widgets/browser/thumbnail_set.h"

#include <QAbstractListModel>
#include <QAbstractTableModel>
#include <QCache>
#include <QPixmap>

namespace tau::widgets {

/** Roles both browser models answer besides display (the score), decoration (the thumbnail) and tool tip. */
enum BrowserRole
{
    ImageIndexRole = Qt::UserRole + 1, ///< int: the image's index in its ThumbnailSet
    ScoreRole,                         ///< double: its score (NaN when the set has none)
    LabelRole,                         ///< int: its class (-1 when unlabelled)
};

/** Thumbnails scaled with nearest-neighbour (small images stay crisp), cached by image index. */
class ThumbnailCache
{
public:
    void reset(SharedThumbnailSet set, int side);
    QPixmap pixmap(int image) const;
    int side() const { return m_side; }

private:
    SharedThumbnailSet m_set;
    int m_side = 64;
    mutable QCache<int, QPixmap> m_cache{4000};
};

/**
 * The images of a set as one list sorted by score: most certain first (descending) or least certain first,
 * optionally only one class. A QListView in icon mode with uniform item sizes shows it virtualised: only the
 * visible rows are ever asked for, so 60,000 images scroll smoothly.
 */
class CertaintyGridModel : public QAbstractListModel
{
    Q_OBJECT

public:
    explicit CertaintyGridModel(QObject* parent = nullptr);

    void setImageSet(SharedThumbnailSet set);
    SharedThumbnailSet imageSet() const { return m_set; }
    /** -1: every class. */
    void setClassFilter(int label);
    void setOrder(Qt::SortOrder order);
    void setThumbnailSide(int pixels);

    int rowCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;

    /** The row showing image @p image, or -1 when filtered out. */
    int rowOfImage(int image) const;

private:
    void rebuild();

    SharedThumbnailSet m_set;
    int m_classFilter = -1;
    Qt::SortOrder m_order = Qt::DescendingOrder;
    QVector<int> m_rows;      ///< image index per row
    QVector<int> m_rowOfImage; ///< row per image index (-1: filtered out)
    ThumbnailCache m_thumbnails;
};

/**
 * The paper's Figure 1 as a table: a row per class, its k most certain images on the left and its k least
 * certain on the right (the least certain of all in the last column).
 */
class ClassExtremesModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    explicit ClassExtremesModel(QObject* parent = nullptr);

    void setImageSet(SharedThumbnailSet set);
    void setPerSide(int count);
    int perSide() const { return m_perSide; }
    void setThumbnailSide(int pixels);

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    /** The image shown at (row, column), or -1 (a class with fewer images than the grid has cells). */
    int imageAt(int row, int column) const;

private:
    void rebuild();

    SharedThumbnailSet m_set;
    int m_perSide = 6;
    QVector<int> m_classes;          ///< the label of each row (-1: an unlabelled set's one row)
    QVector<QVector<int>> m_cells;   ///< per row: most certain first, then the least certain (least last)
    ThumbnailCache m_thumbnails;
};

} // namespace tau::widgets
