use proptest::prelude::*;
use saifu_core::money::{Currency, Money};

use super::*;

fn cur(code: &str) -> Currency {
    Currency::from_code(code).expect("ISO currency")
}

fn sums(postings: &[Posting]) -> BTreeMap<Currency, i128> {
    let mut sums = BTreeMap::new();
    for posting in postings {
        *sums.entry(posting.amount.currency()).or_insert(0) += i128::from(posting.amount.minor());
    }
    sums
}

#[test]
fn account_ids_keep_their_stored_form() {
    let cny = cur("CNY");
    assert_eq!(Account::wallet("wal_1", cny).id(), "wallet:wal_1:CNY");
    assert_eq!(Account::merchant("sh-1", cny).id(), "merchant:sh-1:CNY");
    assert_eq!(Account::card_clearing(cny).id(), "card-clearing:CNY");
    assert_eq!(Account::fx(cny).id(), "fx:CNY");
    assert_eq!(
        Account::promotion(&FundedBy::Issuer("Bank".into()), cny).id(),
        "promo:issuer:Bank:CNY"
    );
    assert_eq!(
        Account::promotion(&FundedBy::Operator, cny).id(),
        "promo:operator:CNY"
    );
}

#[test]
fn only_a_wallet_must_not_go_negative() {
    let jpy = cur("JPY");
    let wallet = Account::wallet("w", jpy);
    assert!(!wallet.may_go_negative());
    assert_eq!(wallet.row().min_balance, 0);
    assert_eq!(wallet.row().max_balance, jpy.ceiling_minor());
    for account in [
        Account::merchant("m", jpy),
        Account::card_clearing(jpy),
        Account::fx(jpy),
    ] {
        assert!(account.may_go_negative());
        assert_eq!(account.row().min_balance, -BALANCE_LIMIT);
        assert_eq!(account.row().max_balance, BALANCE_LIMIT);
    }
}

#[test]
fn amounts_above_the_ceiling_are_refused_before_any_write() {
    let jpy = cur("JPY");
    let absurd = Money::from_minor(i64::MAX, jpy);
    assert!(matches!(
        top_up("w", absurd),
        Err(LedgerError::AboveCeiling(_))
    ));
    let price = Money::from_minor(1_000, jpy);
    assert!(matches!(
        payment(&Source::Card, absurd, "m", price, &[]),
        Err(LedgerError::AboveCeiling(_))
    ));
}

#[test]
fn unbalanced_postings_are_refused() {
    let cny = cur("CNY");
    let postings = vec![
        Posting::new(Account::wallet("w", cny), Money::from_minor(100, cny)),
        Posting::new(Account::card_clearing(cny), Money::from_minor(-99, cny)),
    ];
    assert!(matches!(check(&postings), Err(LedgerError::Unbalanced(_))));
}

proptest! {
    #[test]
    fn top_ups_balance(minor in 1_i64..=1_000_000_000_000) {
        let postings = top_up("w", Money::from_minor(minor, cur("CNY"))).expect("under the ceiling");
        prop_assert!(sums(&postings).values().all(|sum| *sum == 0));
    }

    /// Any payment the quote can price balances in each currency, cross-border or not, by
    /// card or balance, with any savings up to the price.
    #[test]
    fn payments_balance_per_currency(
        price in 1_i64..=10_000_000_000,
        shares in proptest::collection::vec(0_i64..=1_000, 0..4),
        cross_border in any::<bool>(),
        by_card in any::<bool>(),
        rate_per_mille in 1_i64..=50_000,
    ) {
        let jpy = cur("JPY");
        let price = Money::from_minor(price, jpy);
        let total: i64 = shares.iter().sum::<i64>().max(1) * 2;
        let funders = [FundedBy::Merchant("m".into()), FundedBy::Issuer("Bank".into()), FundedBy::Operator];
        let savings: Vec<Saving> = shares
            .iter()
            .zip(funders.iter().cycle())
            .map(|(share, funded_by)| Saving {
                funded_by: funded_by.clone(),
                amount: Money::from_minor(price.minor() / total * share, jpy),
            })
            .collect();
        let due = price.minor() - savings.iter().map(|s| s.amount.minor()).sum::<i64>();
        let pay = if cross_border {
            Money::from_minor(due * rate_per_mille / 1_000, cur("CNY"))
        } else {
            Money::from_minor(due, jpy)
        };
        let source = if by_card { Source::Card } else { Source::Balance { wallet_id: "w".into() } };
        let postings = payment(&source, pay, "m", price, &savings).expect("balances");
        prop_assert!(sums(&postings).values().all(|sum| *sum == 0));
        // The merchant gets the whole price, whatever the discount.
        prop_assert!(postings.contains(&Posting::new(Account::merchant("m", jpy), price)));
    }

    /// Postings never balance by overflowing: each amount is under its ceiling, so their sum
    /// is exact.
    #[test]
    fn no_amount_above_the_ceiling_is_ever_posted(minor in any::<i64>()) {
        let cny = cur("CNY");
        let amount = Money::from_minor(minor, cny);
        match top_up("w", amount) {
            Ok(postings) => prop_assert!(postings.iter().all(|p| p.amount.minor().abs() <= cny.ceiling_minor())),
            Err(LedgerError::AboveCeiling(_)) => prop_assert!(minor.unsigned_abs() > cny.ceiling_minor().unsigned_abs()),
            Err(other) => prop_assert!(false, "{other}"),
        }
    }
}

/// What `postings` move into the account with id `account`.
fn moved(postings: &[Posting], account: &str) -> i64 {
    postings
        .iter()
        .filter(|posting| posting.account.id() == account)
        .map(|posting| posting.amount.minor())
        .sum()
}

proptest! {
    /// Refunds that add up to the price, in any pieces, give back exactly what was paid to
    /// the source and what each funder gave, and every one balances per currency.
    #[test]
    fn refunds_in_pieces_give_back_exactly_what_was_paid(
        price in 1_i64..=10_000_000,
        savings in proptest::collection::vec(0_i64..=1_000, 0..3),
        pieces in proptest::collection::vec(1_i64..=1_000, 1..6),
        cross_border in any::<bool>(),
        by_card in any::<bool>(),
    ) {
        let jpy = cur("JPY");
        let cny = cur("CNY");
        let price = Money::from_minor(price, jpy);
        let funders = [FundedBy::Merchant("m".into()), FundedBy::Issuer("Bank".into())];
        let savings: Vec<Saving> = savings
            .iter()
            .zip(funders.iter())
            .map(|(per_mille, funded_by)| Saving {
                funded_by: funded_by.clone(),
                amount: Money::from_minor(price.minor() * per_mille / 2_000, jpy),
            })
            .collect();
        let due = price.minor() - savings.iter().map(|s| s.amount.minor()).sum::<i64>();
        let pay = if cross_border {
            Money::from_minor(due * 48 / 1_000 + 1, cny)
        } else {
            Money::from_minor(due, jpy)
        };
        let source = if by_card { Source::Card } else { Source::Balance { wallet_id: "w".into() } };
        let source_id = if by_card {
            Account::card_clearing(pay.currency()).id()
        } else {
            Account::wallet("w", pay.currency()).id()
        };
        // The pieces, scaled to add up to the price exactly.
        let total: i64 = pieces.iter().sum();
        let mut amounts: Vec<i64> = pieces.iter().map(|piece| price.minor() * piece / total).collect();
        let short = price.minor() - amounts.iter().sum::<i64>();
        *amounts.last_mut().expect("a piece") += short;

        let mut before = Money::zero(jpy);
        let mut returned = 0;
        let mut given_back = vec![0_i64; savings.len()];
        for amount in amounts.into_iter().filter(|amount| *amount > 0) {
            let amount = Money::from_minor(amount, jpy);
            let done = refund(
                &Refunded { source: &source, merchant_id: "m", price, pay, savings: &savings, before },
                amount,
            ).expect("within the price");
            prop_assert!(sums(&done.postings).values().all(|sum| *sum == 0));
            prop_assert_eq!(moved(&done.postings, &source_id), done.returned.minor());
            prop_assert_eq!(moved(&done.postings, "merchant:m:JPY"), -amount.minor());
            returned += done.returned.minor();
            for (given, saving) in given_back.iter_mut().zip(&savings) {
                *given += moved(&done.postings, &Account::promotion(&saving.funded_by, jpy).id());
            }
            before = before.checked_add(amount).expect("sum");
        }
        prop_assert_eq!(returned, pay.minor());
        for (given, saving) in given_back.iter().zip(&savings) {
            prop_assert_eq!(*given, saving.amount.minor());
        }
    }
}

#[test]
fn a_refund_past_the_price_or_of_nothing_is_refused() {
    let cny = cur("CNY");
    let source = Source::Balance {
        wallet_id: "w".into(),
    };
    let payment = |before: i64| Refunded {
        source: &source,
        merchant_id: "m",
        price: Money::from_minor(3_850, cny),
        pay: Money::from_minor(3_350, cny),
        savings: &[],
        before: Money::from_minor(before, cny),
    };
    let money = |minor| Money::from_minor(minor, cny);
    assert!(matches!(
        refund(&payment(3_000), money(851)),
        Err(LedgerError::BeyondPrice)
    ));
    assert!(matches!(
        refund(&payment(0), money(0)),
        Err(LedgerError::BeyondPrice)
    ));
    assert!(refund(&payment(3_000), money(850)).is_ok());
}
