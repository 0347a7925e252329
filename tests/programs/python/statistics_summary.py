# statistics: summary of a fixed data set, quantiles, regression, normal distribution.
import statistics as st

heights = [162.5, 170.2, 181.0, 158.3, 175.6, 169.9, 190.1, 166.0, 172.4, 178.8, 160.7, 171.3]
weights = [55.1, 68.0, 82.4, 50.2, 72.9, 66.3, 95.0, 60.8, 70.1, 79.5, 54.0, 69.2]

print("mean", st.mean(heights), "fmean", st.fmean(heights))
print("median", st.median(heights), st.median_low(heights), st.median_high(heights))
print("mode", st.mode([1, 2, 2, 3, 3, 3, 4]), st.multimode("aabbbccdd"))
print("stdev", st.stdev(heights), "pstdev", st.pstdev(heights))
print("variance", st.variance(weights), st.pvariance(weights))
print("quantiles", st.quantiles(heights, n=4), st.quantiles(heights, n=10, method="inclusive"))
print("geometric", st.geometric_mean([1, 10, 100]), "harmonic", st.harmonic_mean([40, 60]))
print("correlation", st.correlation(heights, weights))
print("covariance", st.covariance(heights, weights))
slope, intercept = st.linear_regression(heights, weights)
print(f"weight = {slope:.6f} * height + {intercept:.6f}")
nd = st.NormalDist(mu=100, sigma=15)
print(nd.cdf(130), nd.inv_cdf(0.975), nd.pdf(100), nd.overlap(st.NormalDist(110, 15)))
print(st.NormalDist.from_samples(heights))
print(st.median_grouped([1, 2, 2, 3, 4, 4, 4, 4, 4, 5]))
from fractions import Fraction
print(st.mean([Fraction(1, 2), Fraction(1, 3)]))
try:
    st.mean([])
except st.StatisticsError as e:
    print("StatisticsError:", e)
