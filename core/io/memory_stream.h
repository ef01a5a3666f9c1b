#pragma once

// Torch-free: LibTorch's readers take a std::istream; this one reads bytes already in memory without copying them.

#include <cstdint>
#include <istream>
#include <streambuf>
#include <vector>

namespace tau::core {

/** A read-only, seekable std::istream over @p bytes, which must outlive it. */
class MemoryInputStream : public std::istream
{
public:
    explicit MemoryInputStream(const std::vector<uint8_t>& bytes) : std::istream(&m_buffer), m_buffer(bytes) {}

private:
    class Buffer : public std::streambuf
    {
    public:
        explicit Buffer(const std::vector<uint8_t>& bytes)
        {
            char* begin = const_cast<char*>(reinterpret_cast<const char*>(bytes.data()));
            setg(begin, begin, begin + bytes.size());
        }

    protected:
        pos_type seekoff(off_type offset, std::ios_base::seekdir from, std::ios_base::openmode) override
        {
            const off_type base = from == std::ios_base::beg ? 0 : from == std::ios_base::cur ? gptr() - eback()
                                                                                                : egptr() - eback();
            return seekpos(pos_type(base + offset), std::ios_base::in);
        }
        pos_type seekpos(pos_type position, std::ios_base::openmode) override
        {
            if (off_type(position) < 0 || off_type(position) > egptr() - eback()) {
                return pos_type(off_type(-1));
            }
            setg(eback(), eback() + off_type(position), egptr());
            return position;
        }
    };

    Buffer m_buffer;
};

} // namespace tau::core
