//! The engine end to end: rewards, eligibility, stacking, coupons, limits and tie-breaks, and
//! property tests against a brute-force search over every valid combination.

use proptest::prelude::*;

use super::solver::{Candidate, candidates};
use super::*;
use crate::card::Brand;
use crate::money::{Currency, Money};

/// Wednesday 2026-03-04 03:00 UTC: 12:00 at the Tokyo merchant.
const NOW: i64 = 1_772_593_200;

fn jpy() -> Currency {
    Currency::from_code("JPY").expect("known currency")
}

fn cny() -> Currency {
    Currency::from_code("CNY").expect("known currency")
}

fn yen(minor: i64) -> Money {
    Money::from_minor(minor, jpy())
}

fn amount_off(minor: i64) -> Reward {
    Reward::AmountOff { minor }
}

/// An automatic, one-per-funder campaign in yen with no restrictions.
fn campaign(id: &str, funder: Funder, reward: Reward) -> Campaign {
    Campaign {
        id: id.to_owned(),
        name: format!("{id} promo"),
        names: Default::default(),
        funder,
        reward,
        currency: jpy(),
        eligibility: Eligibility::default(),
        stacking: Stacking::OnePerFunder,
        coupon: false,
        per_user_limit: None,
        budget_minor: None,
    }
}

fn with(mut campaign: Campaign, edit: impl FnOnce(&mut Campaign)) -> Campaign {
    edit(&mut campaign);
    campaign
}

fn stackable(id: &str, funder: Funder, minor: i64) -> Campaign {
    with(campaign(id, funder, amount_off(minor)), |c| {
        c.stacking = Stacking::Stackable;
    })
}

fn exclusive(id: &str, funder: Funder, minor: i64) -> Campaign {
    with(campaign(id, funder, amount_off(minor)), |c| {
        c.stacking = Stacking::Exclusive;
    })
}

fn coupon_campaign(id: &str, minor: i64) -> Campaign {
    with(campaign(id, Funder::Merchant, amount_off(minor)), |c| {
        c.coupon = true;
    })
}

fn coupon(id: &str, campaign_id: &str) -> Coupon {
    Coupon {
        id: id.to_owned(),
        campaign_id: campaign_id.to_owned(),
        expires_at: NOW + 3600,
        used: false,
    }
}

fn balance() -> FundingOption {
    FundingOption {
        id: FundingId::Balance,
        brand: None,
        bin: None,
    }
}

fn card(id: &str, brand: Brand, bin: &str) -> FundingOption {
    FundingOption {
        id: FundingId::Card(id.to_owned()),
        brand: Some(brand),
        bin: Some(bin.to_owned()),
    }
}

fn visa() -> FundingOption {
    card("card-visa", Brand::Visa, "41111111")
}

fn unionpay() -> FundingOption {
    card("card-up", Brand::UnionPay, "62220212")
}

/// A payment of `price` at a Tokyo ramen shop, from the balance, the user's first there.
fn context(price: Money, campaigns: Vec<Campaign>) -> PaymentContext {
    PaymentContext {
        price,
        merchant: MerchantFacts {
            id: "m-ramen".to_owned(),
            group: Some("g-food".to_owned()),
            mcc: "5814".to_owned(),
            country: "JP".to_owned(),
            utc_offset_minutes: 9 * 60,
        },
        now: NOW,
        first_payment_at_merchant: true,
        fundings: vec![balance()],
        campaigns,
        usage: Vec::new(),
        coupons: Vec::new(),
        seed: 7,
    }
}

fn best_offer(ctx: &PaymentContext) -> Offer {
    best(ctx).expect("there is a funding option")
}

/// The best offer's campaigns with their savings, in application order, and what is paid.
fn outcome(ctx: &PaymentContext) -> (Vec<(String, i64)>, i64) {
    let offer = best_offer(ctx);
    let applied = offer
        .applied
        .iter()
        .map(|a| (a.campaign_id.clone(), a.saving.minor()))
        .collect();
    (applied, offer.pay.minor())
}

fn saved(pairs: &[(&str, i64)]) -> Vec<(String, i64)> {
    pairs.iter().map(|&(id, s)| (id.to_owned(), s)).collect()
}

/// Whether a ¥100-off campaign with `edit`ed eligibility applies when paying with `funding`.
fn applies(funding: FundingOption, edit: impl FnOnce(&mut Eligibility)) -> bool {
    let promo = with(campaign("p", Funder::Merchant, amount_off(100)), |c| {
        edit(&mut c.eligibility);
    });
    let mut ctx = context(yen(1000), vec![promo]);
    ctx.fundings = vec![funding];
    !best_offer(&ctx).applied.is_empty()
}

// Rewards.

#[test]
fn percent_off_rounds_down_and_respects_its_cap() {
    let ten_percent = |cap| Reward::PercentOff {
        basis_points: 1000,
        cap,
    };
    let ctx = context(
        yen(999),
        vec![campaign("p", Funder::Merchant, ten_percent(None))],
    );
    assert_eq!(outcome(&ctx), (saved(&[("p", 99)]), 900));
    let ctx = context(
        yen(999),
        vec![campaign("p", Funder::Merchant, ten_percent(Some(50)))],
    );
    assert_eq!(outcome(&ctx), (saved(&[("p", 50)]), 949));
    let all = Reward::PercentOff {
        basis_points: 10_000,
        cap: None,
    };
    let ctx = context(yen(999), vec![campaign("p", Funder::Merchant, all)]);
    assert_eq!(outcome(&ctx), (saved(&[("p", 999)]), 0));
    // 8.5% of 9 yen is 0.765 yen: nothing, so nothing is applied.
    let tiny = Reward::PercentOff {
        basis_points: 850,
        cap: None,
    };
    let ctx = context(yen(9), vec![campaign("p", Funder::Merchant, tiny)]);
    assert_eq!(outcome(&ctx), (Vec::new(), 9));
}

#[test]
fn amount_off_never_takes_more_than_the_price() {
    let ctx = context(
        yen(1280),
        vec![campaign("p", Funder::Merchant, amount_off(100))],
    );
    assert_eq!(outcome(&ctx), (saved(&[("p", 100)]), 1180));
    let ctx = context(
        yen(1280),
        vec![campaign("p", Funder::Merchant, amount_off(5000))],
    );
    assert_eq!(outcome(&ctx), (saved(&[("p", 1280)]), 0));
}

#[test]
fn five_yuan_off_thirty_in_cny() {
    let five_off_thirty = with(
        campaign(
            "cny-5-off-30",
            Funder::Merchant,
            Reward::ThresholdOff {
                spend_minor: 3000,
                off_minor: 500,
            },
        ),
        |c| c.currency = cny(),
    );
    let at = |minor| {
        context(
            Money::from_minor(minor, cny()),
            vec![five_off_thirty.clone()],
        )
    };
    let offer = best_offer(&at(3000));
    assert_eq!(offer.pay, Money::from_minor(2500, cny()));
    assert_eq!(offer.saving(), Money::from_minor(500, cny()));
    assert_eq!(offer.applied[0].saving, Money::from_minor(500, cny()));
    assert_eq!(outcome(&at(4550)), (saved(&[("cny-5-off-30", 500)]), 4050));
    assert_eq!(outcome(&at(2999)), (Vec::new(), 2999));
}

#[test]
fn threshold_off_in_jpy_has_no_minor_units() {
    let promo = campaign(
        "t",
        Funder::Merchant,
        Reward::ThresholdOff {
            spend_minor: 3000,
            off_minor: 300,
        },
    );
    assert_eq!(
        outcome(&context(yen(3000), vec![promo.clone()])),
        (saved(&[("t", 300)]), 2700)
    );
    assert_eq!(
        outcome(&context(yen(2999), vec![promo])),
        (Vec::new(), 2999)
    );
}

#[test]
fn random_off_is_drawn_from_the_seed() {
    let lucky = campaign(
        "lucky",
        Funder::Operator,
        Reward::RandomOff {
            min_minor: 10,
            max_minor: 300,
        },
    );
    let mut ctx = context(yen(1000), vec![lucky]);
    let mut seen = Vec::new();
    for seed in 0..20 {
        ctx.seed = seed;
        let expected = draw(seed, "lucky", 10, 300);
        assert!((10..=300).contains(&expected));
        // The quote and the payment compute the same offer.
        assert_eq!(best_offer(&ctx), best_offer(&ctx.clone()));
        assert_eq!(
            outcome(&ctx),
            (saved(&[("lucky", expected)]), 1000 - expected)
        );
        seen.push(expected);
    }
    seen.dedup();
    assert!(seen.len() > 1, "the seed must matter: {seen:?}");
}

#[test]
fn first_payment_bonus_only_on_the_first_payment() {
    let welcome = campaign(
        "welcome",
        Funder::Operator,
        Reward::FirstPaymentBonus { minor: 200 },
    );
    let mut ctx = context(yen(1000), vec![welcome]);
    assert_eq!(outcome(&ctx), (saved(&[("welcome", 200)]), 800));
    ctx.first_payment_at_merchant = false;
    assert_eq!(outcome(&ctx), (Vec::new(), 1000));
}

// Eligibility, one dimension at a time.

#[test]
fn merchants_and_merchant_groups() {
    assert!(applies(balance(), |_| {}));
    assert!(applies(balance(), |e| e.merchants = vec!["m-ramen".into()]));
    assert!(!applies(balance(), |e| e.merchants = vec!["m-sushi".into()]));
    assert!(applies(balance(), |e| e.merchant_groups = vec!["g-food".into()]));
    assert!(!applies(balance(), |e| e.merchant_groups = vec!["g-fuel".into()]));
    // Listed by id or by group: either will do.
    assert!(applies(balance(), |e| {
        e.merchants = vec!["m-sushi".into()];
        e.merchant_groups = vec!["g-food".into()];
    }));
    let mut ctx = context(
        yen(1000),
        vec![with(
            campaign("p", Funder::Merchant, amount_off(100)),
            |c| {
                c.eligibility.merchant_groups = vec!["g-food".into()];
            },
        )],
    );
    ctx.merchant.group = None;
    assert!(best_offer(&ctx).applied.is_empty());
}

#[test]
fn merchant_category_and_country() {
    assert!(applies(balance(), |e| e.mccs = vec!["5812".into(), "5814".into()]));
    assert!(!applies(balance(), |e| e.mccs = vec!["5541".into()]));
    assert!(applies(balance(), |e| e.country = Some("JP".into())));
    assert!(!applies(balance(), |e| e.country = Some("CN".into())));
}

#[test]
fn funding_kind_brand_and_bin() {
    let card_only = |e: &mut Eligibility| e.funding = Some(FundingKind::Card);
    assert!(applies(visa(), card_only));
    assert!(!applies(balance(), card_only));
    let balance_only = |e: &mut Eligibility| e.funding = Some(FundingKind::Balance);
    assert!(applies(balance(), balance_only));
    assert!(!applies(visa(), balance_only));

    let unionpay_only = |e: &mut Eligibility| e.brands = vec![Brand::UnionPay];
    assert!(applies(unionpay(), unionpay_only));
    assert!(!applies(visa(), unionpay_only));
    assert!(!applies(balance(), unionpay_only));

    let issuer_bins = |e: &mut Eligibility| {
        e.bins = vec![BinRange {
            low: "622202".into(),
            high: "622203".into(),
        }];
    };
    assert!(applies(unionpay(), issuer_bins));
    assert!(!applies(visa(), issuer_bins));
    assert!(!applies(balance(), issuer_bins));
    let eight_digits = |e: &mut Eligibility| {
        e.bins = vec![BinRange {
            low: "62220200".into(),
            high: "62220299".into(),
        }];
    };
    assert!(applies(unionpay(), eight_digits));
    assert!(!applies(
        card("six", Brand::UnionPay, "622202"),
        eight_digits
    ));
}

#[test]
fn currency_must_match_the_price() {
    assert!(applies(balance(), |e| e.currency = Some(jpy())));
    // A yuan campaign never touches a yen price, nor a yen campaign a yuan price.
    let yuan = with(campaign("cny", Funder::Merchant, amount_off(100)), |c| {
        c.currency = cny();
    });
    assert_eq!(
        outcome(&context(yen(1000), vec![yuan.clone()])),
        (Vec::new(), 1000)
    );
    let yen_promo = campaign("jpy", Funder::Merchant, amount_off(100));
    let offer = best_offer(&context(
        Money::from_minor(1000, cny()),
        vec![yen_promo, yuan],
    ));
    assert_eq!(offer.applied.len(), 1);
    assert_eq!(offer.applied[0].campaign_id, "cny");
    assert_eq!(offer.pay, Money::from_minor(900, cny()));
}

#[test]
fn time_window_in_merchant_local_time() {
    assert!(applies(balance(), |e| e.window.days = vec![3]));
    assert!(!applies(balance(), |e| e.window.days = vec![6, 7]));
    let lunch = |e: &mut Eligibility| {
        e.window.from_minute = Some(11 * 60);
        e.window.until_minute = Some(14 * 60);
    };
    assert!(applies(balance(), lunch));
    let breakfast = |e: &mut Eligibility| {
        e.window.from_minute = Some(6 * 60);
        e.window.until_minute = Some(10 * 60);
    };
    assert!(!applies(balance(), breakfast));
    assert!(applies(balance(), |e| e.window.starts_at = Some(NOW)));
    assert!(!applies(balance(), |e| e.window.starts_at = Some(NOW + 1)));
    assert!(!applies(balance(), |e| e.window.ends_at = Some(NOW)));
    // 03:00 UTC is breakfast time in Bangkok, not lunch.
    let mut ctx = context(
        yen(1000),
        vec![with(
            campaign("p", Funder::Merchant, amount_off(100)),
            |c| {
                lunch(&mut c.eligibility);
            },
        )],
    );
    ctx.merchant.utc_offset_minutes = 7 * 60;
    assert!(best_offer(&ctx).applied.is_empty());
}

#[test]
fn per_user_limit() {
    let limited = with(campaign("p", Funder::Merchant, amount_off(100)), |c| {
        c.per_user_limit = Some(2);
    });
    let mut ctx = context(yen(1000), vec![limited]);
    assert_eq!(outcome(&ctx).1, 900);
    ctx.usage = vec![Usage {
        campaign_id: "p".into(),
        used_by_user: 1,
        budget_spent_minor: 0,
    }];
    assert_eq!(outcome(&ctx).1, 900);
    ctx.usage[0].used_by_user = 2;
    assert_eq!(outcome(&ctx), (Vec::new(), 1000));
    // Another campaign's usage does not count.
    ctx.usage[0].campaign_id = "q".into();
    assert_eq!(outcome(&ctx).1, 900);
}

#[test]
fn budget_caps_the_saving_and_ends_the_campaign() {
    let budgeted = with(campaign("p", Funder::Issuer, amount_off(100)), |c| {
        c.budget_minor = Some(1000);
    });
    let mut ctx = context(yen(1000), vec![budgeted]);
    assert_eq!(outcome(&ctx), (saved(&[("p", 100)]), 900));
    let spent = |minor| Usage {
        campaign_id: "p".into(),
        used_by_user: 0,
        budget_spent_minor: minor,
    };
    ctx.usage = vec![spent(970)];
    assert_eq!(outcome(&ctx), (saved(&[("p", 30)]), 970));
    ctx.usage = vec![spent(1000)];
    assert_eq!(outcome(&ctx), (Vec::new(), 1000));
    // Two records: the highest counts, in either order.
    ctx.usage = vec![spent(950), spent(100)];
    assert_eq!(outcome(&ctx), (saved(&[("p", 50)]), 950));
    ctx.usage.reverse();
    assert_eq!(outcome(&ctx), (saved(&[("p", 50)]), 950));
}

// Stacking.

#[test]
fn one_per_funder_keeps_each_funders_best() {
    let ctx = context(
        yen(1000),
        vec![
            campaign("m-small", Funder::Merchant, amount_off(100)),
            campaign("m-big", Funder::Merchant, amount_off(150)),
            campaign("i", Funder::Issuer, amount_off(50)),
            campaign("o", Funder::Operator, amount_off(20)),
        ],
    );
    assert_eq!(
        outcome(&ctx),
        (saved(&[("m-big", 150), ("i", 50), ("o", 20)]), 780)
    );
}

#[test]
fn stackables_combine_with_everything_but_an_exclusive() {
    let ctx = context(
        yen(1000),
        vec![
            campaign("m", Funder::Merchant, amount_off(100)),
            stackable("s1", Funder::Merchant, 30),
            stackable("s2", Funder::Merchant, 20),
            exclusive("x", Funder::Operator, 140),
        ],
    );
    assert_eq!(
        outcome(&ctx),
        (saved(&[("m", 100), ("s1", 30), ("s2", 20)]), 850)
    );
}

#[test]
fn an_exclusive_is_applied_alone() {
    let others = vec![
        campaign("m", Funder::Merchant, amount_off(100)),
        stackable("s", Funder::Issuer, 50),
    ];
    let ctx = |x| {
        let mut campaigns = others.clone();
        campaigns.push(exclusive("x", Funder::Operator, x));
        context(yen(1000), campaigns)
    };
    assert_eq!(outcome(&ctx(200)), (saved(&[("x", 200)]), 800));
    assert_eq!(outcome(&ctx(120)), (saved(&[("m", 100), ("s", 50)]), 850));
    // The same price either way: one promotion beats two.
    assert_eq!(outcome(&ctx(150)), (saved(&[("x", 150)]), 850));
}

#[test]
fn coupons_count_toward_one_per_funder() {
    let mut ctx = context(
        yen(1000),
        vec![
            coupon_campaign("k", 100),
            campaign("auto", Funder::Merchant, amount_off(80)),
        ],
    );
    ctx.coupons = vec![coupon("coupon-1", "k")];
    let offer = best_offer(&ctx);
    assert_eq!(offer.applied.len(), 1);
    assert_eq!(offer.applied[0].campaign_id, "k");
    assert_eq!(offer.applied[0].coupon_id.as_deref(), Some("coupon-1"));
    assert_eq!(offer.pay, yen(900));
}

#[test]
fn stackable_and_exclusive_coupons_follow_their_flags() {
    let mut ctx = context(
        yen(1000),
        vec![
            with(coupon_campaign("ks", 100), |c| {
                c.stacking = Stacking::Stackable
            }),
            campaign("auto", Funder::Merchant, amount_off(80)),
        ],
    );
    ctx.coupons = vec![coupon("coupon-s", "ks")];
    assert_eq!(outcome(&ctx), (saved(&[("auto", 80), ("ks", 100)]), 820));
    ctx.campaigns.push(with(coupon_campaign("kx", 300), |c| {
        c.stacking = Stacking::Exclusive;
    }));
    ctx.coupons.push(coupon("coupon-x", "kx"));
    assert_eq!(outcome(&ctx), (saved(&[("kx", 300)]), 700));
}

// Coupons.

#[test]
fn coupon_campaigns_need_a_redeemable_coupon() {
    let mut ctx = context(yen(1000), vec![coupon_campaign("k", 100)]);
    assert_eq!(outcome(&ctx), (Vec::new(), 1000), "no coupon");
    ctx.coupons = vec![coupon("c1", "other")];
    assert_eq!(
        outcome(&ctx),
        (Vec::new(), 1000),
        "another campaign's coupon"
    );
    ctx.coupons = vec![with_coupon(coupon("c1", "k"), |c| c.used = true)];
    assert_eq!(outcome(&ctx), (Vec::new(), 1000), "used");
    ctx.coupons = vec![with_coupon(coupon("c1", "k"), |c| c.expires_at = NOW)];
    assert_eq!(outcome(&ctx), (Vec::new(), 1000), "expired");
    ctx.coupons = vec![with_coupon(coupon("c1", "k"), |c| c.expires_at = NOW + 1)];
    assert_eq!(
        outcome(&ctx),
        (saved(&[("k", 100)]), 900),
        "expires in a second"
    );
}

fn with_coupon(mut coupon: Coupon, edit: impl FnOnce(&mut Coupon)) -> Coupon {
    edit(&mut coupon);
    coupon
}

#[test]
fn the_coupon_expiring_first_is_used_once() {
    let mut ctx = context(yen(1000), vec![coupon_campaign("k", 100)]);
    ctx.coupons = vec![
        with_coupon(coupon("late", "k"), |c| c.expires_at = NOW + 7200),
        with_coupon(coupon("soon", "k"), |c| c.expires_at = NOW + 60),
        with_coupon(coupon("used", "k"), |c| {
            c.expires_at = NOW + 1;
            c.used = true;
        }),
    ];
    let offer = best_offer(&ctx);
    assert_eq!(offer.applied.len(), 1);
    assert_eq!(offer.applied[0].coupon_id.as_deref(), Some("soon"));
    assert_eq!(offer.pay, yen(900));
}

#[test]
fn automatic_campaigns_ignore_coupons() {
    let mut ctx = context(
        yen(1000),
        vec![campaign("p", Funder::Merchant, amount_off(100))],
    );
    ctx.coupons = vec![coupon("c1", "p")];
    let offer = best_offer(&ctx);
    assert_eq!(offer.applied[0].coupon_id, None);
    assert_eq!(offer.pay, yen(900));
}

// Settling and explaining.

#[test]
fn savings_past_the_price_give_way_operator_first() {
    let ctx = context(
        yen(1000),
        vec![
            campaign("o", Funder::Operator, amount_off(300)),
            campaign("m", Funder::Merchant, amount_off(600)),
            campaign("i", Funder::Issuer, amount_off(300)),
        ],
    );
    let offer = best_offer(&ctx);
    assert_eq!(
        outcome(&ctx),
        (saved(&[("m", 600), ("i", 300), ("o", 100)]), 0)
    );
    assert_eq!(offer.saving(), yen(1000));
    let funders: Vec<Funder> = offer.applied.iter().map(|a| a.funder).collect();
    assert_eq!(
        funders,
        [Funder::Merchant, Funder::Issuer, Funder::Operator]
    );
    assert_eq!(offer.applied[0].name, "m promo");
}

#[test]
fn when_the_price_is_covered_fewer_promotions_win_then_smaller_ids() {
    let ctx = context(
        yen(100),
        vec![
            stackable("a", Funder::Merchant, 60),
            stackable("b", Funder::Merchant, 50),
            stackable("c", Funder::Merchant, 100),
        ],
    );
    assert_eq!(outcome(&ctx), (saved(&[("c", 100)]), 0));
    let ctx = context(
        yen(100),
        vec![
            stackable("d", Funder::Merchant, 60),
            stackable("c", Funder::Issuer, 45),
            stackable("b", Funder::Operator, 50),
            stackable("a", Funder::Merchant, 10),
        ],
    );
    // Two are needed; {a, b}, {a, c} and {a, d} fall short, {b, c} falls short, {b, d} covers.
    assert_eq!(outcome(&ctx), (saved(&[("d", 60), ("b", 40)]), 0));
    let ctx = context(
        yen(100),
        vec![
            campaign("z", Funder::Merchant, amount_off(100)),
            campaign("y", Funder::Merchant, amount_off(100)),
        ],
    );
    assert_eq!(outcome(&ctx), (saved(&[("y", 100)]), 0));
}

#[test]
fn equal_one_per_funder_savings_go_to_the_smaller_id() {
    let ctx = context(
        yen(1000),
        vec![
            campaign("m2", Funder::Merchant, amount_off(100)),
            campaign("m1", Funder::Merchant, amount_off(100)),
        ],
    );
    assert_eq!(outcome(&ctx), (saved(&[("m1", 100)]), 900));
}

#[test]
fn funding_choice_and_its_tie_breaks() {
    let issuer = with(campaign("up-promo", Funder::Issuer, amount_off(200)), |c| {
        c.eligibility.brands = vec![Brand::UnionPay];
    });
    let mut ctx = context(yen(1000), vec![issuer]);
    ctx.fundings = vec![visa(), balance(), unionpay()];
    let offers = offers(&ctx);
    let order: Vec<(FundingId, i64)> = offers
        .iter()
        .map(|o| (o.funding.clone(), o.pay.minor()))
        .collect();
    assert_eq!(
        order,
        [
            (FundingId::Card("card-up".into()), 800),
            (FundingId::Balance, 1000),
            (FundingId::Card("card-visa".into()), 1000),
        ]
    );
    // Without the promotion: the balance first, then cards by id.
    ctx.campaigns.clear();
    ctx.fundings = vec![
        card("b", Brand::Visa, "411111"),
        card("a", Brand::Visa, "411111"),
        balance(),
    ];
    let order: Vec<FundingId> = offers_funding(&ctx);
    assert_eq!(
        order,
        [
            FundingId::Balance,
            FundingId::Card("a".into()),
            FundingId::Card("b".into())
        ]
    );
    ctx.fundings.clear();
    assert_eq!(best(&ctx), None);
}

fn offers_funding(ctx: &PaymentContext) -> Vec<FundingId> {
    offers(ctx).into_iter().map(|o| o.funding).collect()
}

#[test]
fn nothing_off_a_free_payment() {
    let ctx = context(
        yen(0),
        vec![campaign("p", Funder::Merchant, amount_off(100))],
    );
    assert_eq!(outcome(&ctx), (Vec::new(), 0));
}

// Failing closed.

#[test]
fn invalid_campaigns_never_apply() {
    let greedy = campaign(
        "greedy",
        Funder::Merchant,
        Reward::PercentOff {
            basis_points: 20_000,
            cap: None,
        },
    );
    let negative = campaign("negative", Funder::Issuer, amount_off(-100));
    let ctx = context(yen(1000), vec![greedy, negative]);
    assert_eq!(outcome(&ctx), (Vec::new(), 1000));
}

#[test]
fn conflicting_ids_apply_neither_and_repeats_apply_once() {
    let promo = campaign("p", Funder::Merchant, amount_off(100));
    let ctx = context(yen(1000), vec![promo.clone(), promo.clone()]);
    assert_eq!(outcome(&ctx), (saved(&[("p", 100)]), 900));
    let other = with(promo.clone(), |c| c.reward = amount_off(500));
    let ctx = context(yen(1000), vec![promo, other]);
    assert_eq!(outcome(&ctx), (Vec::new(), 1000));

    let mut ctx = context(yen(1000), vec![coupon_campaign("k", 100)]);
    ctx.coupons = vec![
        coupon("c1", "k"),
        with_coupon(coupon("c1", "k"), |c| c.expires_at = NOW + 1),
    ];
    assert_eq!(outcome(&ctx), (Vec::new(), 1000));
}

// Validation.

#[test]
fn validate_accepts_a_sound_campaign() {
    let sound = with(
        campaign(
            "p",
            Funder::Issuer,
            Reward::PercentOff {
                basis_points: 10_000,
                cap: Some(0),
            },
        ),
        |c| {
            c.budget_minor = Some(0);
            c.eligibility = Eligibility {
                mccs: vec!["5814".into()],
                country: Some("JP".into()),
                currency: Some(jpy()),
                bins: vec![BinRange {
                    low: "62220000".into(),
                    high: "62229999".into(),
                }],
                window: TimeWindow {
                    days: vec![1, 7],
                    from_minute: Some(0),
                    until_minute: Some(1440),
                    starts_at: Some(0),
                    ends_at: Some(1),
                },
                ..Eligibility::default()
            };
        },
    );
    assert_eq!(validate(&sound), Ok(()));
}

#[test]
fn validate_rejects_what_could_mis_discount() {
    let base = campaign("p", Funder::Merchant, amount_off(100));
    let rejected = |edit: fn(&mut Campaign)| validate(&with(base.clone(), edit));
    assert_eq!(rejected(|c| c.id.clear()), Err(PromoError::MissingId));
    assert_eq!(
        rejected(|c| c.reward = amount_off(-1)),
        Err(PromoError::NegativeAmount {
            field: "minor",
            value: -1
        })
    );
    assert_eq!(
        rejected(|c| c.reward = Reward::FirstPaymentBonus { minor: -5 }),
        Err(PromoError::NegativeAmount {
            field: "minor",
            value: -5
        })
    );
    assert_eq!(
        rejected(|c| c.reward = Reward::PercentOff {
            basis_points: 10_001,
            cap: None
        }),
        Err(PromoError::PercentOver100(10_001))
    );
    assert_eq!(
        rejected(|c| c.reward = Reward::PercentOff {
            basis_points: 500,
            cap: Some(-1)
        }),
        Err(PromoError::NegativeAmount {
            field: "cap",
            value: -1
        })
    );
    assert_eq!(
        rejected(|c| c.reward = Reward::ThresholdOff {
            spend_minor: -3000,
            off_minor: 500
        }),
        Err(PromoError::NegativeAmount {
            field: "spend_minor",
            value: -3000
        })
    );
    assert_eq!(
        rejected(|c| c.reward = Reward::ThresholdOff {
            spend_minor: 3000,
            off_minor: -500
        }),
        Err(PromoError::NegativeAmount {
            field: "off_minor",
            value: -500
        })
    );
    assert_eq!(
        rejected(|c| c.reward = Reward::RandomOff {
            min_minor: -1,
            max_minor: 5
        }),
        Err(PromoError::NegativeAmount {
            field: "min_minor",
            value: -1
        })
    );
    assert_eq!(
        rejected(|c| c.reward = Reward::RandomOff {
            min_minor: 9,
            max_minor: 5
        }),
        Err(PromoError::InvertedRandomRange { min: 9, max: 5 })
    );
    assert_eq!(
        rejected(|c| c.budget_minor = Some(-1)),
        Err(PromoError::NegativeAmount {
            field: "budget_minor",
            value: -1
        })
    );
    assert_eq!(
        rejected(|c| c.eligibility.currency = Some(cny())),
        Err(PromoError::CurrencyConflict {
            campaign: jpy(),
            eligible: cny()
        })
    );
    assert_eq!(
        rejected(|c| c.eligibility.mccs = vec!["581".into()]),
        Err(PromoError::BadMcc("581".into()))
    );
    assert_eq!(
        rejected(|c| c.eligibility.country = Some("jp".into())),
        Err(PromoError::BadCountry("jp".into()))
    );
    assert_eq!(
        rejected(|c| c.eligibility.bins = vec![BinRange {
            low: "411199".into(),
            high: "411111".into()
        }]),
        Err(PromoError::BadBinRange {
            low: "411199".into(),
            high: "411111".into()
        })
    );
    assert_eq!(
        rejected(|c| c.eligibility.window.days = vec![0]),
        Err(PromoError::BadWeekday(0))
    );
    assert_eq!(
        rejected(|c| c.eligibility.window.from_minute = Some(1440)),
        Err(PromoError::BadHours {
            from: 1440,
            until: 1440
        })
    );
    assert_eq!(
        rejected(|c| c.eligibility.window.ends_at = Some(-5)),
        Ok(()),
        "an end alone is a valid window"
    );
    assert_eq!(
        rejected(|c| {
            c.eligibility.window.starts_at = Some(5);
            c.eligibility.window.ends_at = Some(-5);
        }),
        Err(PromoError::BadDates {
            starts: 5,
            ends: -5
        })
    );
    assert_eq!(
        PromoError::PercentOver100(12_000).to_string(),
        "12000 basis points is more than 100% off; the most is 10000"
    );
}

// Serialized shapes, which the service and the app rely on.

#[test]
fn serialized_shapes() {
    assert_eq!(json(&FundingId::Balance), r#""balance""#);
    assert_eq!(json(&FundingId::Card("c-1".into())), r#"{"card":"c-1"}"#);
    assert_eq!(
        json(&Reward::ThresholdOff {
            spend_minor: 3000,
            off_minor: 500
        }),
        r#"{"kind":"threshold_off","spend_minor":3000,"off_minor":500}"#
    );
    assert_eq!(
        json(&Reward::PercentOff {
            basis_points: 1000,
            cap: None
        }),
        r#"{"kind":"percent_off","basis_points":1000,"cap":null}"#
    );
    assert_eq!(json(&Stacking::OnePerFunder), r#""one_per_funder""#);
    assert_eq!(json(&Funder::Operator), r#""operator""#);
    assert_eq!(json(&FundingKind::Card), r#""card""#);

    let minimal = r#"{"id":"p","name":"¥5 off ¥30","funder":"merchant",
        "reward":{"kind":"threshold_off","spend_minor":3000,"off_minor":500},
        "currency":"CNY","stacking":"one_per_funder"}"#;
    let parsed: Campaign = serde_json::from_str(minimal).expect("parses");
    assert_eq!(parsed.eligibility, Eligibility::default());
    assert!(!parsed.coupon);
    assert_eq!((parsed.per_user_limit, parsed.budget_minor), (None, None));
    assert_eq!(parsed.currency, cny());

    let ctx = context(
        yen(1000),
        vec![campaign("p", Funder::Merchant, amount_off(100))],
    );
    let round_trip: PaymentContext =
        serde_json::from_str(&serde_json::to_string(&ctx).expect("serializes")).expect("parses");
    assert_eq!(round_trip, ctx);
    let offer = best_offer(&ctx);
    let round_trip: Offer =
        serde_json::from_str(&serde_json::to_string(&offer).expect("serializes")).expect("parses");
    assert_eq!(round_trip, offer);
}

fn json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("serializes")
}

// Properties, against a brute-force search.

/// Every valid combination of candidates for `funding`: its pay, size and sorted ids.
fn brute_force(ctx: &PaymentContext, funding: &FundingOption) -> (i64, usize, Vec<String>) {
    let all = candidates(ctx);
    let usable: Vec<&Candidate<'_>> = all
        .iter()
        .filter(|c| c.campaign.eligibility.admits_funding(funding))
        .collect();
    let price = ctx.price.minor();
    (0..1_u32 << usable.len())
        .map(|mask| {
            usable
                .iter()
                .enumerate()
                .filter(|(bit, _)| mask >> bit & 1 == 1)
                .map(|(_, c)| *c)
                .collect::<Vec<_>>()
        })
        .filter(|subset| allowed(subset))
        .map(|subset| {
            let total: i64 = subset.iter().map(|c| c.saving).sum();
            let mut ids: Vec<String> = subset.iter().map(|c| c.campaign.id.clone()).collect();
            ids.sort();
            ((price - total).max(0), subset.len(), ids)
        })
        .min()
        .expect("the empty combination is always allowed")
}

/// The stacking rules, read literally.
fn allowed(subset: &[&Candidate<'_>]) -> bool {
    let stacking = |c: &&&Candidate<'_>| c.campaign.stacking;
    if subset.iter().any(|c| stacking(&c) == Stacking::Exclusive) {
        return subset.len() == 1;
    }
    [Funder::Merchant, Funder::Issuer, Funder::Operator]
        .iter()
        .all(|&funder| {
            subset
                .iter()
                .filter(|c| stacking(c) == Stacking::OnePerFunder && c.campaign.funder == funder)
                .count()
                <= 1
        })
}

fn sorted_ids(offer: &Offer) -> Vec<String> {
    let mut ids: Vec<String> = offer
        .applied
        .iter()
        .map(|a| a.campaign_id.clone())
        .collect();
    ids.sort();
    ids
}

fn arb_reward() -> impl Strategy<Value = Reward> {
    prop_oneof![
        (
            prop_oneof![Just(0_u32), 1..=10_000_u32, Just(10_000)],
            proptest::option::of(0..400_i64)
        )
            .prop_map(|(basis_points, cap)| Reward::PercentOff { basis_points, cap }),
        (0..700_i64).prop_map(|minor| Reward::AmountOff { minor }),
        (0..900_i64, 0..500_i64).prop_map(|(spend_minor, off_minor)| Reward::ThresholdOff {
            spend_minor,
            off_minor
        }),
        (0..300_i64, 0..300_i64).prop_map(|(a, b)| Reward::RandomOff {
            min_minor: a.min(b),
            max_minor: a.max(b)
        }),
        (0..400_i64).prop_map(|minor| Reward::FirstPaymentBonus { minor }),
    ]
}

fn arb_funder() -> impl Strategy<Value = Funder> {
    prop_oneof![
        Just(Funder::Merchant),
        Just(Funder::Issuer),
        Just(Funder::Operator)
    ]
}

fn arb_stacking() -> impl Strategy<Value = Stacking> {
    prop_oneof![
        3 => Just(Stacking::OnePerFunder),
        2 => Just(Stacking::Stackable),
        1 => Just(Stacking::Exclusive),
    ]
}

/// A campaign without its id; the user's uses and its budget spent, if recorded; and the
/// user's coupons for it, each as (expiry relative to now, used).
type CampaignParts = (Campaign, Option<(u32, i64)>, Vec<(i64, bool)>);

fn arb_campaign_parts() -> impl Strategy<Value = CampaignParts> {
    let campaign = (
        arb_funder(),
        arb_reward(),
        arb_stacking(),
        proptest::bool::weighted(0.3),
        proptest::option::of(0..3_u32),
        proptest::option::of(0..600_i64),
        proptest::option::of(prop_oneof![
            Just(FundingKind::Balance),
            Just(FundingKind::Card)
        ]),
        prop_oneof![
            3 => Just(Vec::new()),
            1 => Just(vec![Brand::Visa]),
            1 => Just(vec![Brand::UnionPay]),
        ],
        proptest::bool::weighted(0.1),
    )
        .prop_map(
            |(
                funder,
                reward,
                stacking,
                coupon,
                per_user_limit,
                budget_minor,
                funding,
                brands,
                yuan,
            )| {
                Campaign {
                    id: String::new(),
                    name: String::new(),
                    names: Default::default(),
                    funder,
                    reward,
                    currency: if yuan { cny() } else { jpy() },
                    eligibility: Eligibility {
                        funding,
                        brands,
                        ..Eligibility::default()
                    },
                    stacking,
                    coupon,
                    per_user_limit,
                    budget_minor,
                }
            },
        );
    (
        campaign,
        proptest::option::of((0..3_u32, 0..500_i64)),
        proptest::collection::vec((-1..=1_i64, proptest::bool::weighted(0.3)), 0..=2),
    )
}

prop_compose! {
    fn arb_context()(
        price in 0..1500_i64,
        first_payment_at_merchant: bool,
        seed: u64,
        fundings in proptest::sample::subsequence(vec![balance(), visa(), unionpay()], 1..=3),
        parts in proptest::collection::vec(arb_campaign_parts(), 0..=7),
        // 1 repeats the first campaign exactly, 2 adds a conflicting one with its id.
        repeat in 0..3_u8,
    ) -> PaymentContext {
        let mut ctx = context(yen(price), Vec::new());
        ctx.first_payment_at_merchant = first_payment_at_merchant;
        ctx.seed = seed;
        ctx.fundings = fundings;
        for (index, (campaign, usage, coupons)) in parts.into_iter().enumerate() {
            let id = format!("c{index}");
            if let Some((used_by_user, budget_spent_minor)) = usage {
                ctx.usage.push(Usage { campaign_id: id.clone(), used_by_user, budget_spent_minor });
            }
            for (number, (expiry, used)) in coupons.into_iter().enumerate() {
                ctx.coupons.push(Coupon {
                    id: format!("k{index}-{number}"),
                    campaign_id: id.clone(),
                    expires_at: NOW + expiry,
                    used,
                });
            }
            ctx.campaigns.push(Campaign { name: format!("{id} name"), id, ..campaign });
        }
        if let Some(first) = ctx.campaigns.first().cloned() {
            match repeat {
                1 => ctx.campaigns.push(first),
                2 => ctx.campaigns.push(Campaign { name: "conflict".into(), ..first }),
                _ => {}
            }
        }
        ctx
    }
}

prop_compose! {
    /// A context, and the same context with every list in another order.
    fn arb_context_reordered()(ctx in arb_context())(
        campaigns in Just(ctx.campaigns.clone()).prop_shuffle(),
        coupons in Just(ctx.coupons.clone()).prop_shuffle(),
        fundings in Just(ctx.fundings.clone()).prop_shuffle(),
        usage in Just(ctx.usage.clone()).prop_shuffle(),
        ctx in Just(ctx),
    ) -> (PaymentContext, PaymentContext) {
        let reordered = PaymentContext { campaigns, coupons, fundings, usage, ..ctx.clone() };
        (ctx, reordered)
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn solver_agrees_with_brute_force(ctx in arb_context()) {
        let offers = offers(&ctx);
        prop_assert_eq!(offers.len(), ctx.fundings.len());
        for offer in &offers {
            let funding = ctx.fundings.iter().find(|f| f.id == offer.funding).expect("offered funding");
            let expected = brute_force(&ctx, funding);
            prop_assert_eq!((offer.pay.minor(), offer.applied.len(), sorted_ids(offer)), expected);
        }
        let brute_best = ctx
            .fundings
            .iter()
            .map(|funding| {
                let (pay, count, ids) = brute_force(&ctx, funding);
                (pay, funding.id.clone(), count, ids)
            })
            .min()
            .expect("at least one funding option");
        let best = best(&ctx).expect("at least one funding option");
        prop_assert_eq!(
            (best.pay.minor(), best.funding.clone(), best.applied.len(), sorted_ids(&best)),
            brute_best
        );
    }

    #[test]
    fn savings_add_up_and_never_pass_the_price(ctx in arb_context()) {
        let price = ctx.price;
        for offer in offers(&ctx) {
            prop_assert_eq!(offer.price, price);
            prop_assert!(offer.pay.minor() >= 0 && offer.pay.minor() <= price.minor());
            let mut total = Money::zero(price.currency());
            for applied in &offer.applied {
                prop_assert_eq!(applied.saving.currency(), price.currency());
                prop_assert!(applied.saving.minor() > 0 && applied.saving.minor() <= price.minor());
                total = total.checked_add(applied.saving).expect("same currency, small amounts");
            }
            prop_assert!(total.minor() <= price.minor());
            prop_assert_eq!(total, offer.saving());
            prop_assert_eq!(price.checked_sub(offer.pay), Ok(total));
            // Applied in funder order, then by id; each campaign and coupon at most once.
            let order: Vec<(Funder, &str)> = offer.applied.iter().map(|a| (a.funder, a.campaign_id.as_str())).collect();
            prop_assert!(order.windows(2).all(|pair| pair[0] < pair[1]), "{:?}", order);
            let mut coupons: Vec<&str> = offer.applied.iter().filter_map(|a| a.coupon_id.as_deref()).collect();
            let count = coupons.len();
            coupons.dedup();
            prop_assert_eq!(coupons.len(), count);
            for applied in &offer.applied {
                let campaign = ctx.campaigns.iter().find(|c| c.id == applied.campaign_id).expect("known campaign");
                prop_assert_eq!(campaign.coupon, applied.coupon_id.is_some());
                if let Some(id) = &applied.coupon_id {
                    let coupon = ctx.coupons.iter().find(|k| &k.id == id).expect("known coupon");
                    prop_assert!(coupon.is_redeemable(ctx.now) && coupon.campaign_id == campaign.id);
                }
            }
        }
    }

    #[test]
    fn listing_order_changes_nothing((ctx, reordered) in arb_context_reordered()) {
        prop_assert_eq!(offers(&ctx), offers(&reordered));
    }
}
